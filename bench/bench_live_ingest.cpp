// bench_live_ingest: issue #7 §2 — live ingest through a real mosquitto on 127.0.0.1.
// In one run, the same stream of N messages (numbers on K topics) is received twice:
//  A. by a plain `mosquitto_sub` (the reference: the broker's own client, output discarded);
//  B. by TwinDesk: MqttClient → LiveSource (topic map, payload decoding) → the SQLite
//     historian of a real project file (WAL, batched transactions).
// Published, received and stored are counted and must be equal; the rates and their ratio are
// printed (goal: B ≥ 90 % of A, i.e. the broker and not TwinDesk is the ceiling).
// Usage: bench_live_ingest [--messages N] [--topics K] [--qos Q] [--keep DIR]
//   defaults: 1 000 000 messages on 1 000 topics at QoS 1.
#include "bench_util.h"

#include <twindesk/live/live_source.h>
#include <twindesk/live/mqtt_client.h>
#include <twindesk/live/topic_map.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>

#include <sqlite3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

using namespace twindesk;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(fd);
        return -1;
    }
    const int port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

bool acceptsTcp(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

pid_t spawn(const std::vector<std::string>& args, const char* stdoutFile)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, stdoutFile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2); // the broker logs to stderr
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : -1;
}

std::unique_ptr<live::MqttClient> client(int port, std::size_t queue)
{
    live::ClientOptions o;
    o.broker = live::parseBrokerUrl("mqtt://127.0.0.1:" + std::to_string(port)).value();
    o.maxQueuedMessages = queue;
    auto c = live::MqttClient::create(o);
    if (!c)
        throw std::runtime_error(c.error().toString());
    if (auto s = (*c)->connect(10s); !s)
        throw std::runtime_error(s.error().toString());
    return std::move(c).value();
}

/// Publishes `n` messages round-robin over `topics` topics; returns when all are handed over.
void publishAll(live::MqttClient& pub, std::int64_t n, int topics, int qos)
{
    std::vector<std::string> names;
    for (int t = 0; t < topics; ++t)
        names.push_back("bench/r" + std::to_string(t) + "/zat");
    char payload[32];
    for (std::int64_t i = 0; i < n; ++i) {
        const int len = std::snprintf(payload, sizeof payload, "%.2f",
                                      20.0 + static_cast<double>(i % 500) / 100.0);
        while (!pub.publish(names[static_cast<std::size_t>(i % topics)],
                            std::string_view(payload, static_cast<std::size_t>(len)), qos, false))
            std::this_thread::sleep_for(1ms); // a reconnect in progress: try again
    }
}

int run(int argc, char** argv)
{
    std::int64_t n = 1'000'000;
    int topics = 1000;
    int qos = 1;
    fs::path keep;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--messages")
            n = std::stoll(argv[i + 1]);
        else if (flag == "--topics")
            topics = std::stoi(argv[i + 1]);
        else if (flag == "--qos")
            qos = std::stoi(argv[i + 1]);
        else if (flag == "--keep")
            keep = argv[i + 1];
        else {
            std::fprintf(stderr, "bench_live_ingest: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    const fs::path dir = keep.empty() ? fs::temp_directory_path() /
                                            ("bench-ingest-" + std::to_string(::getpid()))
                                      : keep;
    fs::create_directories(dir);
    const int port = freePort();
    {
        std::ofstream conf(dir / "mosquitto.conf");
        conf << "listener " << port << " 127.0.0.1\nallow_anonymous true\npersistence false\n"
             << "max_queued_messages 0\nmax_inflight_messages 0\n"
             << (::geteuid() == 0 ? "user root\n" : "");
    }
    const pid_t broker = spawn({"/usr/sbin/mosquitto", "-c", (dir / "mosquitto.conf").string()},
                               (dir / "broker.log").c_str());
    if (broker <= 0) {
        std::fprintf(stderr, "bench_live_ingest: cannot start /usr/sbin/mosquitto\n");
        return 1;
    }
    struct Stop
    {
        pid_t pid;
        ~Stop()
        {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    } stopBroker{broker};
    for (int i = 0; i < 100 && !acceptsTcp(port); ++i)
        std::this_thread::sleep_for(50ms);
    auto publisher = client(port, 1000);

    // A. mosquitto_sub, exiting after N messages.
    const pid_t sub = spawn({"/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p",
                             std::to_string(port), "-t", "bench/#", "-q", std::to_string(qos),
                             "-C", std::to_string(n)},
                            "/dev/null");
    std::this_thread::sleep_for(1s); // let it subscribe
    const auto a0 = bench::Clock::now();
    std::thread pa([&] { publishAll(*publisher, n, topics, qos); });
    int status = 0;
    ::waitpid(sub, &status, 0);
    const double aS = bench::seconds(a0, bench::Clock::now());
    pa.join();
    const bool subOk = WIFEXITED(status) && WEXITSTATUS(status) == 0;

    // B. TwinDesk: client → LiveSource → historian.
    const fs::path file = dir / "ingest.twin";
    auto store = twin::ProjectStore::create(file, twin::CreateMode::Replace);
    if (!store)
        throw std::runtime_error(store.error().toString());
    auto map = live::TopicMap::parse(R"({"points": [{"topic": "bench/+/zat",
        "point": "urn:bench:{1}_zat", "qos": )" + std::to_string(qos) + "}]}",
                                     "bench-map");
    if (!map)
        throw std::runtime_error(map.error().toString());
    auto receiver = client(port, 10'000'000);
    live::LiveSourceOptions so;
    so.frameInterval = 1000ms;
    live::LiveSource source(*receiver, *map, &*store, nullptr, so);
    if (auto s = source.subscribe(); !s)
        throw std::runtime_error(s.error().toString());
    const auto b0 = bench::Clock::now();
    std::thread pb([&] { publishAll(*publisher, n, topics, qos); });
    sim::TelemetryFrame frame;
    const auto deadline = b0 + std::chrono::seconds(600);
    while (source.counters().messages < static_cast<std::uint64_t>(n) &&
           bench::Clock::now() < deadline) {
        if (auto more = source.next(frame); !more)
            throw std::runtime_error(more.error().toString());
    }
    if (auto s = source.flush(); !s)
        throw std::runtime_error(s.error().toString());
    const double bS = bench::seconds(b0, bench::Clock::now());
    pb.join();
    std::int64_t rows = 0;
    {
        twin::sql::Statement st(store->handle(), "SELECT count(*) FROM historian");
        if (st.step() == SQLITE_ROW)
            rows = st.int64(0);
    }
    const auto& c = source.counters();
    const double aRate = static_cast<double>(n) / aS;
    const double bRate = static_cast<double>(c.stored) / bS;
    std::printf("stream              %lld messages on %d topics, QoS %d, mosquitto on 127.0.0.1\n",
                static_cast<long long>(n), topics, qos);
    std::printf("A mosquitto_sub     %s: %.2f s, %.0f msg/s\n",
                subOk ? "received all" : "FAILED", aS, aRate);
    std::printf("B TwinDesk          received %llu, accepted %llu, stored %llu (historian rows "
                "%lld, rejected %llu): %.2f s, %.0f msg/s stored\n",
                static_cast<unsigned long long>(c.messages),
                static_cast<unsigned long long>(c.accepted),
                static_cast<unsigned long long>(c.stored), static_cast<long long>(rows),
                static_cast<unsigned long long>(c.rejected.total), bS, bRate);
    std::printf("ratio B / A         %.1f %%\n", 100.0 * bRate / aRate);
    std::printf("project file        %.1f MB\n", static_cast<double>(fs::file_size(file)) / 1e6);
    std::printf("peak RSS            %.0f MB\n", static_cast<double>(bench::peakRssKb()) / 1024.0);
    if (keep.empty())
        fs::remove_all(dir);
    const bool equal = subOk && c.messages == static_cast<std::uint64_t>(n) &&
                       c.stored == static_cast<std::uint64_t>(n) && rows == n;
    return equal ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    return bench::guardedMain("bench_live_ingest", run, argc, argv);
}

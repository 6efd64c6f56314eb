// The MQTT client of the live connector over libmosquitto; the contract is in mqtt_client.h.
//
// Locking rule: libmosquitto calls our callbacks on its network thread while it holds its own
// callback mutex (and, for on_publish, its output mutex); the callbacks then take our mutexes.
// So this file never calls into libmosquitto while holding one of its own mutexes: that order
// could deadlock against the network thread.
#include <twindesk/live/mqtt_client.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <mosquitto.h>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

namespace twindesk::live {

using twin::ErrorCode;
using twin::makeError;

namespace {

constexpr std::size_t kMaxAcknowledged = 1'000'000;
constexpr std::size_t kMaxEvents = 10'000;
constexpr int kSubackFailure = 0x80; // MQTT 3.1.1 SUBACK return code "failure"
constexpr int kMinKeepaliveS = 5;    // libmosquitto refuses shorter keep-alives
constexpr int kMaxKeepaliveS = 65535;
constexpr const char* kSystemCaDir = "/etc/ssl/certs";

std::int64_t steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool iequals(std::string_view a, std::string_view b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

/// The URL with any password between "user:" and "@" replaced by "***", for error messages.
std::string maskPassword(std::string_view url)
{
    const auto schemeEnd = url.find("://");
    const std::size_t start = schemeEnd == std::string_view::npos ? 0 : schemeEnd + 3;
    const auto authorityEnd = url.find_first_of("/?#", start);
    const std::string_view authority =
        url.substr(start, authorityEnd == std::string_view::npos ? std::string_view::npos
                                                                 : authorityEnd - start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos)
        return std::string(url);
    const auto colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos)
        return std::string(url);
    std::string masked(url.substr(0, start + colon + 1));
    masked += "***";
    masked += url.substr(start + at);
    return masked;
}

std::string errnoText(int err)
{
    return std::error_code(err, std::generic_category()).message();
}

bool readable(const std::string& path)
{
    std::ifstream in(path);
    return in.good();
}

/// Errors after which libmosquitto's network thread stops instead of reconnecting.
bool isFatal(int rc)
{
    switch (rc) {
    case MOSQ_ERR_NOMEM:
    case MOSQ_ERR_PROTOCOL:
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_NOT_FOUND:
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_NOT_SUPPORTED:
    case MOSQ_ERR_AUTH:
    case MOSQ_ERR_ACL_DENIED:
    case MOSQ_ERR_UNKNOWN:
    case MOSQ_ERR_EAI:
    case MOSQ_ERR_PROXY:
        return true;
    default:
        return false;
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Broker URL

twin::Result<BrokerUrl> parseBrokerUrl(std::string_view url)
{
    const std::string where = "broker URL '" + maskPassword(url) + "'";
    const auto fail = [&](const std::string& message) {
        return makeError(ErrorCode::ParseError, message, where);
    };
    constexpr const char* kForms =
        "expected mqtt://host[:port] (plain, port 1883) or mqtts://host[:port] (TLS, port 8883), "
        "optionally with a user: mqtt://user@host";

    const auto schemeEnd = url.find("://");
    if (schemeEnd == std::string_view::npos)
        return fail(std::string("no scheme: ") + kForms);
    BrokerUrl result;
    const std::string_view scheme = url.substr(0, schemeEnd);
    if (iequals(scheme, "mqtts")) {
        result.tls = true;
        result.port = kDefaultMqttsPort;
    } else if (iequals(scheme, "mqtt")) {
        result.port = kDefaultMqttPort;
    } else {
        return fail("unknown scheme '" + std::string(scheme) + "': " + kForms);
    }

    std::string_view rest = url.substr(schemeEnd + 3);
    if (const auto pathStart = rest.find_first_of("/?#"); pathStart != std::string_view::npos) {
        if (rest.substr(pathStart) != "/")
            return fail("a path, query or fragment ('" + std::string(rest.substr(pathStart)) +
                        "') has no meaning for MQTT: give only scheme, user, host and port");
        rest = rest.substr(0, pathStart);
    }

    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view userInfo = rest.substr(0, at);
        if (userInfo.find(':') != std::string_view::npos)
            return makeError(
                ErrorCode::InvalidArgument,
                "the URL holds a password, which is refused: credentials must not be written in "
                "a URL (it ends up in logs, shell history and project files). Give only the "
                "user (mqtt://user@host) and put the password in the environment variable " +
                    std::string(kPasswordEnvVar) +
                    " or in a password file (ClientOptions::passwordFile)",
                where);
        if (userInfo.empty())
            return fail("empty user name before '@'");
        result.username = std::string(userInfo);
        rest = rest.substr(at + 1);
    }

    std::string_view portText;
    bool hasPort = false;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos)
            return fail("'[' without ']': write an IPv6 address as mqtt://[::1]:1883");
        result.host = std::string(rest.substr(1, close - 1));
        const std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return fail("unexpected '" + std::string(after) + "' after the IPv6 address");
            hasPort = true;
            portText = after.substr(1);
        }
    } else {
        const auto colon = rest.find(':');
        if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos)
            return fail("an IPv6 address must be written in brackets, e.g. mqtt://[::1]:1883");
        result.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            hasPort = true;
            portText = rest.substr(colon + 1);
        }
    }
    if (result.host.empty())
        return fail(std::string("no host: ") + kForms);
    for (const char c : result.host)
        if (std::isspace(static_cast<unsigned char>(c)) ||
            std::iscntrl(static_cast<unsigned char>(c)))
            return fail("the host name contains white space or control characters");

    if (hasPort) {
        int port = 0;
        const auto* first = portText.data();
        const auto* last = portText.data() + portText.size();
        const auto [end, ec] = std::from_chars(first, last, port);
        if (portText.empty() || ec != std::errc() || end != last || port < 1 || port > 65535)
            return fail("the port '" + std::string(portText) + "' is not a number in 1..65535");
        result.port = port;
    }
    return result;
}

std::string describe(const BrokerUrl& url)
{
    std::string text = url.tls ? "mqtts://" : "mqtt://";
    if (!url.username.empty())
        text += url.username + "@";
    if (url.host.find(':') != std::string::npos)
        text += "[" + url.host + "]";
    else
        text += url.host;
    text += ":" + std::to_string(url.port);
    return text;
}

const char* connectionStateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Disconnected:
        return "disconnected";
    case ConnectionState::Connecting:
        return "connecting";
    case ConnectionState::Connected:
        return "connected";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------------------------
// MqttClient::Impl: the state shared with libmosquitto's network thread.

class MqttClient::Impl
{
public:
    explicit Impl(ClientOptions options)
        : m_options(std::move(options)), m_url(describe(m_options.broker)),
          m_username(m_options.username.empty() ? m_options.broker.username : m_options.username)
    {
    }

    ~Impl()
    {
        if (m_threadRunning)
            stopThread();
        if (m_mosq != nullptr)
            mosquitto_destroy(m_mosq);
    }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    Impl(Impl&&) = delete;
    Impl& operator=(Impl&&) = delete;

    twin::Error error(std::string message) const
    {
        return makeError(ErrorCode::IoError, std::move(message), m_url);
    }

    /// The broker's CONNACK refusal in words (MQTT 3.1.1 return codes).
    std::string connackMessage(int rc) const
    {
        const std::string who =
            m_username.empty() ? std::string("anonymous access") : "user '" + m_username + "'";
        const std::string fix = m_username.empty()
                                    ? std::string(" — give a user (mqtt://user@host) and its "
                                                  "password (") +
                                          kPasswordEnvVar + " or a password file)"
                                    : std::string(" — check the user name and the password (") +
                                          kPasswordEnvVar + " or the password file)";
        switch (rc) {
        case 1:
            return "the broker refused the connection: unacceptable protocol version (it does "
                   "not speak MQTT 3.1.1)";
        case 2:
            return "the broker refused the client id '" + m_options.clientId +
                   "' (identifier rejected): choose another ClientOptions::clientId";
        case 3:
            return "the broker refused the connection: server unavailable — try again later";
        case 4:
            return "not authorised: bad user name or password for " + who + fix;
        case 5:
            return "not authorised: the broker refused " + who + fix;
        default:
            return "the broker refused the connection (CONNACK code " + std::to_string(rc) + ")";
        }
    }

    /// A failed connection in words: libmosquitto's code, errno and its last logged error.
    std::string failureMessage(int rc, int err, const std::string& logLine) const
    {
        const auto withLog = [&](std::string text) {
            if (!logLine.empty())
                text += " (libmosquitto: " + logLine + ")";
            return text;
        };
        switch (rc) {
        case MOSQ_ERR_ERRNO:
            switch (err) {
            case ECONNREFUSED:
                return "connection refused: no broker listens at this host and port (is it "
                       "running? right host and port?)";
            case EHOSTUNREACH:
            case ENETUNREACH:
                return "host unreachable: check the host name and the network";
            case ETIMEDOUT:
                return "the TCP connection timed out: check the host, port and firewall";
            case 0:
                return withLog("the connection failed");
            default:
                return withLog("the connection failed: " + errnoText(err));
            }
        case MOSQ_ERR_EAI:
            return "cannot resolve the host name '" + m_options.broker.host + "'";
        case MOSQ_ERR_TLS:
        case MOSQ_ERR_TLS_HANDSHAKE: {
            std::string text = "TLS handshake failed";
            if (logLine.find("certificate verify failed") != std::string::npos) {
                text += ": certificate verification failed — the broker's certificate could not "
                        "be verified against " +
                        (m_options.caFile.empty() ? std::string("the system's CA store")
                                                  : "the CA file '" + m_options.caFile + "'") +
                        " or does not name the host '" + m_options.broker.host +
                        "'; give the CA that signed it (caFile)";
            } else if (logLine.find("wrong version number") != std::string::npos ||
                       logLine.find("packet length too long") != std::string::npos ||
                       logLine.find("unexpected eof") != std::string::npos) {
                text += ": the port does not seem to speak TLS — use mqtt:// for a plain port";
            }
            return withLog(text);
        }
        case MOSQ_ERR_CONN_LOST:
        case MOSQ_ERR_NO_CONN:
        case MOSQ_ERR_KEEPALIVE:
            return withLog(std::string("the broker closed the connection before accepting it") +
                           (m_options.broker.tls ? "" : " (a TLS-only port? then use mqtts://)"));
        case MOSQ_ERR_PROTOCOL:
            return withLog("protocol error: is this an MQTT broker?");
        default:
            return withLog(std::string("the connection failed: ") + mosquitto_strerror(rc));
        }
    }

    void pushEvent(ConnectionEventKind kind, std::string detail) // m_stateMutex held
    {
        if (m_events.size() >= kMaxEvents)
            m_events.pop_front();
        m_events.push_back(
            {kind, std::chrono::system_clock::now(), steadyNowNs(), std::move(detail)});
    }

    /// The password for this connect: the file, else the environment, else none.
    twin::Result<std::optional<std::string>> readPassword() const
    {
        if (!m_options.passwordFile.empty()) {
            std::ifstream in(m_options.passwordFile);
            if (!in)
                return makeError(ErrorCode::IoError,
                                 "cannot read the MQTT password file for " + m_url +
                                     ": check the path and its permissions",
                                 m_options.passwordFile);
            std::string line;
            std::getline(in, line);
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.empty())
                return makeError(ErrorCode::InvalidArgument,
                                 "the MQTT password file for " + m_url +
                                     " is empty: its first line must be the password",
                                 m_options.passwordFile);
            return std::optional<std::string>(std::move(line));
        }
        if (m_options.passwordFromEnv && !m_username.empty()) {
            if (const char* value = std::getenv(kPasswordEnvVar)) // NOLINT(concurrency-mt-unsafe)
                return std::optional<std::string>(std::string(value));
        }
        return std::optional<std::string>();
    }

    twin::Status configureTls()
    {
        const ClientOptions& o = m_options;
        for (const auto& [path, what] :
             {std::pair{&o.caFile, "CA file"}, std::pair{&o.certFile, "client certificate file"},
              std::pair{&o.keyFile, "client key file"}}) {
            if (!path->empty() && !readable(*path))
                return makeError(ErrorCode::IoError,
                                 std::string("cannot read the TLS ") + what + " for " + m_url +
                                     ": check the path and its permissions",
                                 *path);
        }
        const char* cert = o.certFile.empty() ? nullptr : o.certFile.c_str();
        const char* key = o.keyFile.empty() ? nullptr : o.keyFile.c_str();
        int rc = MOSQ_ERR_SUCCESS;
        if (!o.caFile.empty()) {
            rc = mosquitto_tls_set(m_mosq, o.caFile.c_str(), nullptr, cert, key, nullptr);
        } else {
            rc = mosquitto_int_option(m_mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
            if (rc == MOSQ_ERR_SUCCESS && cert != nullptr)
                rc = mosquitto_tls_set(m_mosq, nullptr, kSystemCaDir, cert, key, nullptr);
        }
        if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_tls_insecure_set(m_mosq, o.insecure);
        if (rc != MOSQ_ERR_SUCCESS)
            return error(std::string("cannot set up TLS: ") + mosquitto_strerror(rc) +
                         " (check caFile, certFile and keyFile)");
        return {};
    }

    twin::Status connect(std::chrono::milliseconds timeout)
    {
        const std::lock_guard api(m_apiMutex);
        if (m_threadRunning && m_state.load() == ConnectionState::Connected)
            return {};
        if (m_threadRunning) // reconnecting, or stopped after a fatal error: start afresh
            stopThread();

        {
            auto password = readPassword();
            if (!password)
                return password.error();
            if (password->has_value() && m_username.empty())
                return makeError(ErrorCode::InvalidArgument,
                                 "a password file is given but no user name: write the user in "
                                 "the URL (mqtt://user@host) or set ClientOptions::username",
                                 m_options.passwordFile);
            const int rc =
                mosquitto_username_pw_set(m_mosq, m_username.empty() ? nullptr : m_username.c_str(),
                                          password->has_value() ? (*password)->c_str() : nullptr);
            if (password->has_value()) // keep the secret no longer than needed
                std::fill((*password)->begin(), (*password)->end(), '\0');
            if (rc != MOSQ_ERR_SUCCESS)
                return makeError(
                    ErrorCode::InvalidArgument,
                    std::string("the user name is not accepted: ") + mosquitto_strerror(rc), m_url);
        }
        if (m_options.broker.tls) {
            if (auto tls = configureTls(); !tls)
                return tls;
        }
        mosquitto_reconnect_delay_set(m_mosq, static_cast<unsigned>(m_options.reconnectMin.count()),
                                      static_cast<unsigned>(m_options.reconnectMax.count()), true);

        {
            const std::lock_guard lock(m_stateMutex);
            m_stopping = false;
            m_connectPending = true;
            m_outcome.reset();
            m_lastLogError.clear();
            m_state = ConnectionState::Connecting;
        }
        // The log callback tells *why* a TLS handshake failed; it is removed once connected, so
        // the ingest path does not pay for libmosquitto's per-packet debug formatting.
        mosquitto_log_callback_set(m_mosq, &Impl::onLog);

        errno = 0;
        int rc = mosquitto_connect_async(m_mosq, m_options.broker.host.c_str(),
                                         m_options.broker.port, m_options.keepaliveS);
        const int err = errno;
        if (rc != MOSQ_ERR_SUCCESS) {
            std::string logLine;
            {
                const std::lock_guard lock(m_stateMutex);
                logLine = m_lastLogError;
                m_connectPending = false;
                m_state = ConnectionState::Disconnected;
            }
            mosquitto_log_callback_set(m_mosq, nullptr);
            return error(failureMessage(rc, err, logLine));
        }
        rc = mosquitto_loop_start(m_mosq);
        if (rc != MOSQ_ERR_SUCCESS) {
            mosquitto_disconnect(m_mosq);
            {
                const std::lock_guard lock(m_stateMutex);
                m_connectPending = false;
                m_state = ConnectionState::Disconnected;
            }
            return error(std::string("cannot start the MQTT network thread: ") +
                         mosquitto_strerror(rc));
        }
        m_threadRunning = true;

        twin::Status result;
        {
            std::unique_lock lock(m_stateMutex);
            m_stateCv.wait_for(lock, timeout, [this] { return m_outcome.has_value(); });
            m_connectPending = false;
            if (m_outcome) {
                result = *m_outcome;
            } else {
                std::string text = "no answer from the broker within " +
                                   std::to_string(timeout.count()) +
                                   " ms: is the host reachable and is it an MQTT broker?";
                if (!m_lastLogError.empty())
                    text += " (libmosquitto: " + m_lastLogError + ")";
                result = error(std::move(text));
            }
            m_outcome.reset();
        }
        if (!result)
            stopThread();
        return result;
    }

    /// Ends the connection and joins the network thread (m_apiMutex held).
    void stopThread()
    {
        {
            const std::lock_guard lock(m_stateMutex);
            m_stopping = true;
        }
        // Sets libmosquitto's state to "disconnected" so its thread stops instead of
        // reconnecting; sends DISCONNECT when a socket is open (NO_CONN otherwise: fine).
        mosquitto_disconnect(m_mosq);
        // libmosquitto's thread can miss that request when it races with the thread's own
        // reconnect attempt (mosquitto_reconnect resets the state the thread checks): with the
        // broker gone it would then retry for ever and mosquitto_loop_stop would never return.
        // So join from a helper and repeat the request until the thread has ended; each
        // request also wakes the thread from its reconnect back-off.
        std::atomic<bool> joined{false};
        std::thread joiner([this, &joined] {
            mosquitto_loop_stop(m_mosq, false);
            joined.store(true);
        });
        while (!joined.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (!joined.load())
                mosquitto_disconnect(m_mosq);
        }
        joiner.join();
        m_threadRunning = false;
        mosquitto_log_callback_set(m_mosq, nullptr);
        {
            const std::lock_guard lock(m_stateMutex);
            if (m_state.load() == ConnectionState::Connected) { // on_disconnect never came
                m_disconnects.fetch_add(1, std::memory_order_relaxed);
                pushEvent(ConnectionEventKind::Disconnected, "disconnected on request");
            }
            m_state = ConnectionState::Disconnected;
        }
        m_stateCv.notify_all();
    }

    void disconnect()
    {
        const std::lock_guard api(m_apiMutex);
        if (m_threadRunning)
            stopThread();
    }

    twin::Status subscribe(std::string filter, int qos, std::chrono::milliseconds timeout)
    {
        if (qos < 0 || qos > 2)
            return makeError(ErrorCode::InvalidArgument,
                             "QoS " + std::to_string(qos) + " for '" + filter +
                                 "': MQTT knows QoS 0, 1 and 2",
                             m_url);
        if (filter.empty() || mosquitto_sub_topic_check(filter.c_str()) != MOSQ_ERR_SUCCESS)
            return makeError(ErrorCode::InvalidArgument,
                             "invalid topic filter '" + filter +
                                 "': it must not be empty; '+' and '#' must fill a whole level "
                                 "and '#' must be the last one",
                             m_url);
        {
            // Recording and reading the state in one step: on_connect copies the list and sets
            // Connected in one step too, so a subscription is never missed in between.
            const std::lock_guard lock(m_stateMutex);
            auto it = std::find_if(m_subscriptions.begin(), m_subscriptions.end(),
                                   [&](const auto& s) { return s.first == filter; });
            if (it != m_subscriptions.end())
                it->second = qos;
            else
                m_subscriptions.emplace_back(filter, qos);
            if (m_state.load() != ConnectionState::Connected)
                return {}; // made at connect / reconnect
        }
        int mid = 0;
        const int rc = mosquitto_subscribe(m_mosq, &mid, filter.c_str(), qos);
        if (rc == MOSQ_ERR_NO_CONN)
            return {}; // lost meanwhile: renewed on reconnect
        if (rc != MOSQ_ERR_SUCCESS)
            return error("cannot subscribe to '" + filter + "': " + mosquitto_strerror(rc));

        std::unique_lock lock(m_stateMutex);
        const bool answered = m_stateCv.wait_for(lock, timeout, [&] {
            return m_subacks.count(mid) != 0 || m_state.load() != ConnectionState::Connected;
        });
        const auto ack = m_subacks.find(mid);
        if (ack == m_subacks.end()) {
            m_ignoredSubscribeMids.emplace(mid, filter); // a late SUBACK is not kept
            if (answered)
                return {}; // connection lost: the subscription is renewed on reconnect
            return error("no SUBACK for '" + filter + "' within " +
                         std::to_string(timeout.count()) +
                         " ms; the subscription is kept and renewed on reconnect");
        }
        const int granted = ack->second;
        m_subacks.erase(ack);
        if (granted == kSubackFailure) {
            std::erase_if(m_subscriptions, [&](const auto& s) { return s.first == filter; });
            return error("the broker refused the subscription to '" + filter +
                         "' (does its ACL allow this user to read it?)");
        }
        return {};
    }

    twin::Result<int> publish(std::string_view topic, std::string_view payload, int qos,
                              bool retain)
    {
        if (qos < 0 || qos > 2)
            return makeError(ErrorCode::InvalidArgument,
                             "QoS " + std::to_string(qos) + ": MQTT knows QoS 0, 1 and 2", m_url);
        if (payload.size() > static_cast<std::size_t>(INT_MAX))
            return makeError(ErrorCode::InvalidArgument, "the payload is too large for MQTT",
                             m_url);
        const ConnectionState state = m_state.load();
        const auto notConnected = [&](ConnectionState s) {
            return error(std::string("not connected (") + connectionStateName(s) +
                         "): the message to '" + std::string(topic) +
                         "' was not sent — keep it and publish it again once connected");
        };
        if (state != ConnectionState::Connected)
            return notConnected(state);
        const std::string topicText(topic);
        int mid = 0;
        const int rc =
            mosquitto_publish(m_mosq, &mid, topicText.c_str(), static_cast<int>(payload.size()),
                              payload.data(), qos, retain);
        switch (rc) {
        case MOSQ_ERR_SUCCESS:
            return mid;
        case MOSQ_ERR_NO_CONN:
            return notConnected(m_state.load());
        case MOSQ_ERR_INVAL:
            return makeError(ErrorCode::InvalidArgument,
                             "cannot publish to '" + topicText +
                                 "': a topic must not be empty nor contain '+' or '#'",
                             m_url);
        case MOSQ_ERR_MALFORMED_UTF8:
            return makeError(ErrorCode::InvalidArgument,
                             "cannot publish: the topic is not valid UTF-8", m_url);
        case MOSQ_ERR_PAYLOAD_SIZE:
        case MOSQ_ERR_OVERSIZE_PACKET:
            return makeError(ErrorCode::InvalidArgument,
                             "cannot publish to '" + topicText + "': the payload is too large",
                             m_url);
        default:
            return error("cannot publish to '" + topicText + "': " + mosquitto_strerror(rc));
        }
    }

    std::size_t drain(std::vector<Message>& out, std::size_t max, std::chrono::milliseconds wait)
    {
        const std::lock_guard drainLock(m_drainMutex);
        if (max == 0)
            return 0;
        if (m_batchPos >= m_batch.size()) {
            m_batch.clear();
            m_batchPos = 0;
            std::unique_lock lock(m_queueMutex);
            if (m_incoming.empty() && wait.count() > 0) {
                m_consumerWaiting = true;
                m_queueCv.wait_for(lock, wait, [this] { return !m_incoming.empty(); });
                m_consumerWaiting = false;
            }
            // The network thread continues in the (empty, already allocated) batch buffer.
            m_batch.swap(m_incoming);
        }
        const std::size_t available = m_batch.size() - m_batchPos;
        const std::size_t n = std::min(available, max);
        if (n == 0)
            return 0;
        if (out.empty() && m_batchPos == 0 && n == available) {
            out.swap(m_batch); // hand the whole buffer over; take the caller's empty one
            m_batch.clear();
            return n;
        }
        const auto first = m_batch.begin() + static_cast<std::ptrdiff_t>(m_batchPos);
        out.insert(out.end(), std::make_move_iterator(first),
                   std::make_move_iterator(first + static_cast<std::ptrdiff_t>(n)));
        m_batchPos += n;
        return n;
    }

    std::vector<int> takeAcknowledged()
    {
        const std::lock_guard lock(m_ackMutex);
        std::vector<int> ids(m_acks.begin(), m_acks.end());
        m_acks.clear();
        return ids;
    }

    std::vector<ConnectionEvent> takeEvents()
    {
        const std::lock_guard lock(m_stateMutex);
        std::vector<ConnectionEvent> events(std::make_move_iterator(m_events.begin()),
                                            std::make_move_iterator(m_events.end()));
        m_events.clear();
        return events;
    }

    // --- libmosquitto callbacks (network thread; they must not throw into C) ---

    static void onConnect(mosquitto* mosq, void* self, int rc)
    {
        auto* d = static_cast<Impl*>(self);
        try {
            if (rc != 0) {
                {
                    const std::lock_guard lock(d->m_stateMutex);
                    std::string text = d->connackMessage(rc);
                    d->pushEvent(ConnectionEventKind::Refused, text);
                    if (d->m_connectPending && !d->m_outcome)
                        d->m_outcome = twin::Status(d->error(std::move(text)));
                }
                d->m_stateCv.notify_all();
                return;
            }
            std::vector<std::pair<std::string, int>> subscriptions;
            {
                const std::lock_guard lock(d->m_stateMutex);
                subscriptions = d->m_subscriptions;
                d->m_state = ConnectionState::Connected;
            }
            // Renew every subscription: a clean session starts with none.
            std::vector<std::pair<int, std::string>> mids;
            for (const auto& [filter, qos] : subscriptions) {
                int mid = 0;
                if (mosquitto_subscribe(mosq, &mid, filter.c_str(), qos) == MOSQ_ERR_SUCCESS)
                    mids.emplace_back(mid, filter);
            }
            mosquitto_log_callback_set(mosq, nullptr);
            {
                const std::lock_guard lock(d->m_stateMutex);
                for (auto& [mid, filter] : mids)
                    d->m_ignoredSubscribeMids.emplace(mid, std::move(filter));
                d->m_connects.fetch_add(1, std::memory_order_relaxed);
                d->pushEvent(ConnectionEventKind::Connected, "connected to " + d->m_url);
                d->m_lastLogError.clear();
                if (d->m_connectPending && !d->m_outcome)
                    d->m_outcome = twin::Status();
            }
            d->m_stateCv.notify_all();
        } catch (...) { // NOLINT(bugprone-empty-catch): nothing may unwind into C
        }
    }

    static void onDisconnect(mosquitto* mosq, void* self, int rc)
    {
        const int err = errno;
        auto* d = static_cast<Impl*>(self);
        bool reconnecting = false;
        try {
            {
                const std::lock_guard lock(d->m_stateMutex);
                const bool wasConnected = d->m_state.load() == ConnectionState::Connected;
                // After a TLS error on an open connection (errno EPROTO) libmosquitto stops too.
                const bool fatal = isFatal(rc) || (rc == MOSQ_ERR_ERRNO && err == EPROTO);
                std::string reason =
                    rc == MOSQ_ERR_SUCCESS
                        ? std::string("disconnected on request")
                        : (wasConnected ? std::string("connection lost: ") + mosquitto_strerror(rc)
                                        : d->failureMessage(rc, err, d->m_lastLogError));
                if (fatal && !d->m_stopping)
                    reason += "; not reconnecting (connect again once the cause is fixed)";
                if (wasConnected) {
                    d->m_disconnects.fetch_add(1, std::memory_order_relaxed);
                    d->pushEvent(ConnectionEventKind::Disconnected, reason);
                } else if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_REFUSED &&
                           !d->m_connectPending && !d->m_stopping) {
                    d->pushEvent(ConnectionEventKind::Refused, reason); // a reconnect failed
                }
                if (d->m_connectPending && !d->m_outcome && rc != MOSQ_ERR_SUCCESS)
                    d->m_outcome = twin::Status(d->error(reason));
                reconnecting = !d->m_stopping && !fatal;
                d->m_state =
                    reconnecting ? ConnectionState::Connecting : ConnectionState::Disconnected;
            }
            if (reconnecting) // collect the reason if the next attempt fails in TLS
                mosquitto_log_callback_set(mosq, &Impl::onLog);
            d->m_stateCv.notify_all();
        } catch (...) { // NOLINT(bugprone-empty-catch): nothing may unwind into C
        }
        errno = err; // libmosquitto decides on errno after this callback whether to reconnect
    }

    static void onMessage(mosquitto* /*mosq*/, void* self, const mosquitto_message* message)
    {
        auto* d = static_cast<Impl*>(self);
        d->m_received.fetch_add(1, std::memory_order_relaxed);
        try {
            // Build the message before taking the lock: the lock only covers the push.
            Message m;
            m.topic = message->topic;
            if (message->payloadlen > 0)
                m.payload.assign(static_cast<const char*>(message->payload),
                                 static_cast<std::size_t>(message->payloadlen));
            m.retained = message->retain;
            m.receivedNs = steadyNowNs();
            bool wake = false;
            {
                const std::lock_guard lock(d->m_queueMutex);
                if (d->m_incoming.size() >= d->m_options.maxQueuedMessages) {
                    d->m_dropped.fetch_add(1, std::memory_order_relaxed);
                    return;
                }
                d->m_incoming.push_back(std::move(m));
                wake = d->m_consumerWaiting;
            }
            if (wake)
                d->m_queueCv.notify_one();
        } catch (...) {
            d->m_dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }

    static void onPublish(mosquitto* /*mosq*/, void* self, int mid)
    {
        auto* d = static_cast<Impl*>(self);
        try {
            const std::lock_guard lock(d->m_ackMutex);
            if (d->m_acks.size() >= kMaxAcknowledged)
                d->m_acks.pop_front();
            d->m_acks.push_back(mid);
        } catch (...) { // NOLINT(bugprone-empty-catch): nothing may unwind into C
        }
    }

    static void onSubscribe(mosquitto* /*mosq*/, void* self, int mid, int count, const int* granted)
    {
        auto* d = static_cast<Impl*>(self);
        const int code = count > 0 && granted != nullptr ? granted[0] : kSubackFailure;
        try {
            {
                const std::lock_guard lock(d->m_stateMutex);
                if (auto it = d->m_ignoredSubscribeMids.find(mid);
                    it != d->m_ignoredSubscribeMids.end()) {
                    if (code == kSubackFailure)
                        d->pushEvent(ConnectionEventKind::Refused,
                                     "the broker refused the renewed subscription to '" +
                                         it->second + "'");
                    d->m_ignoredSubscribeMids.erase(it);
                    return;
                }
                d->m_subacks[mid] = code;
            }
            d->m_stateCv.notify_all();
        } catch (...) { // NOLINT(bugprone-empty-catch): nothing may unwind into C
        }
    }

    static void onLog(mosquitto* /*mosq*/, void* self, int level, const char* text)
    {
        if ((level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) == 0 || text == nullptr)
            return;
        auto* d = static_cast<Impl*>(self);
        try {
            {
                const std::lock_guard lock(d->m_stateMutex);
                d->m_lastLogError = text;
                // libmosquitto 2.0 reports a failed TLS handshake only here: no on_disconnect
                // follows, and its network thread ends. So this is the failure of connect(),
                // or the end of reconnecting.
                if (std::string_view(text).find("OpenSSL Error") == std::string_view::npos)
                    return;
                std::string reason = d->failureMessage(MOSQ_ERR_TLS, 0, text);
                if (d->m_connectPending) {
                    if (!d->m_outcome)
                        d->m_outcome = twin::Status(d->error(std::move(reason)));
                } else if (!d->m_stopping && d->m_state.load() == ConnectionState::Connecting) {
                    d->pushEvent(ConnectionEventKind::Refused,
                                 reason + "; not reconnecting (fix the certificates and "
                                          "connect again)");
                    d->m_state = ConnectionState::Disconnected;
                }
            }
            d->m_stateCv.notify_all();
        } catch (...) { // NOLINT(bugprone-empty-catch): nothing may unwind into C
        }
    }

    ClientOptions m_options;
    std::string m_url;      // describe(broker): no secret
    std::string m_username; // effective user name; empty: anonymous
    mosquitto* m_mosq = nullptr;

    std::mutex m_apiMutex;        // connect/disconnect/destructor
    bool m_threadRunning = false; // guarded by m_apiMutex

    // Connection state, connect() outcome, subscriptions and events.
    mutable std::mutex m_stateMutex;
    std::condition_variable m_stateCv;
    std::atomic<ConnectionState> m_state{ConnectionState::Disconnected};
    bool m_stopping = false;       // disconnect() in progress: no reconnecting
    bool m_connectPending = false; // connect() waits for m_outcome
    std::optional<twin::Status> m_outcome;
    std::string m_lastLogError;
    std::vector<std::pair<std::string, int>> m_subscriptions; // filter, QoS
    std::map<int, int> m_subacks;                             // mid -> granted QoS
    std::map<int, std::string> m_ignoredSubscribeMids;        // mid -> filter (renewals)
    std::deque<ConnectionEvent> m_events;

    // Incoming messages: the network thread appends to m_incoming; drain() swaps it out.
    std::mutex m_queueMutex;
    std::condition_variable m_queueCv;
    std::vector<Message> m_incoming;
    bool m_consumerWaiting = false;
    std::mutex m_drainMutex; // the consumer's side: m_batch, m_batchPos
    std::vector<Message> m_batch;
    std::size_t m_batchPos = 0;

    std::mutex m_ackMutex;
    std::deque<int> m_acks;

    std::atomic<std::uint64_t> m_connects{0};
    std::atomic<std::uint64_t> m_disconnects{0};
    std::atomic<std::uint64_t> m_received{0};
    std::atomic<std::uint64_t> m_dropped{0};
};

// ---------------------------------------------------------------------------------------------
// MqttClient

twin::Result<std::unique_ptr<MqttClient>> MqttClient::create(ClientOptions options)
{
    const BrokerUrl& b = options.broker;
    const std::string where = b.host.empty() ? std::string("MQTT client options") : describe(b);
    const auto invalid = [&](const std::string& message) {
        return makeError(ErrorCode::InvalidArgument, message, where);
    };
    if (b.host.empty())
        return invalid("no broker host: parse the broker URL with parseBrokerUrl()");
    if (b.port < 1 || b.port > 65535)
        return invalid("the port " + std::to_string(b.port) + " is not in 1..65535");
    if (options.keepaliveS < kMinKeepaliveS || options.keepaliveS > kMaxKeepaliveS)
        return invalid("keepaliveS " + std::to_string(options.keepaliveS) +
                       " is not in 5..65535 seconds");
    if (options.reconnectMin < std::chrono::seconds(1) ||
        options.reconnectMax < options.reconnectMin)
        return invalid("the reconnection delays must satisfy 1 s <= reconnectMin <= "
                       "reconnectMax");
    if (!options.cleanSession && options.clientId.empty())
        return invalid("a persistent session (cleanSession = false) needs a clientId, so the "
                       "broker can find it again");
    if (options.maxQueuedMessages == 0)
        return invalid("maxQueuedMessages must be at least 1");
    if (!b.tls && (!options.caFile.empty() || !options.certFile.empty() ||
                   !options.keyFile.empty() || options.insecure))
        return invalid("TLS options are given but the URL is mqtt:// (plain): use mqtts://");
    if (options.certFile.empty() != options.keyFile.empty())
        return invalid("a client certificate needs both certFile and keyFile");

    static std::once_flag initOnce;
    std::call_once(initOnce, [] { mosquitto_lib_init(); });

    auto impl = std::make_unique<Impl>(std::move(options));
    const ClientOptions& o = impl->m_options;
    errno = 0;
    impl->m_mosq = mosquitto_new(o.clientId.empty() ? nullptr : o.clientId.c_str(), o.cleanSession,
                                 impl.get());
    if (impl->m_mosq == nullptr)
        return makeError(ErrorCode::IoError, "cannot create the MQTT client: " + errnoText(errno),
                         where);
    mosquitto_int_option(impl->m_mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(impl->m_mosq, &Impl::onConnect);
    mosquitto_disconnect_callback_set(impl->m_mosq, &Impl::onDisconnect);
    mosquitto_message_callback_set(impl->m_mosq, &Impl::onMessage);
    mosquitto_publish_callback_set(impl->m_mosq, &Impl::onPublish);
    mosquitto_subscribe_callback_set(impl->m_mosq, &Impl::onSubscribe);
    return std::unique_ptr<MqttClient>(new MqttClient(std::move(impl)));
}

MqttClient::MqttClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

MqttClient::~MqttClient() = default;

twin::Status MqttClient::connect(std::chrono::milliseconds timeout)
{
    return m_impl->connect(timeout);
}

void MqttClient::disconnect()
{
    m_impl->disconnect();
}

twin::Status MqttClient::subscribe(std::string filter, int qos, std::chrono::milliseconds timeout)
{
    return m_impl->subscribe(std::move(filter), qos, timeout);
}

twin::Result<int> MqttClient::publish(std::string_view topic, std::string_view payload, int qos,
                                      bool retain)
{
    return m_impl->publish(topic, payload, qos, retain);
}

std::vector<int> MqttClient::takeAcknowledged()
{
    return m_impl->takeAcknowledged();
}

std::size_t MqttClient::drain(std::vector<Message>& out, std::size_t max,
                              std::chrono::milliseconds wait)
{
    return m_impl->drain(out, max, wait);
}

std::vector<ConnectionEvent> MqttClient::takeEvents()
{
    return m_impl->takeEvents();
}

ConnectionState MqttClient::state() const
{
    return m_impl->m_state.load();
}

const BrokerUrl& MqttClient::broker() const
{
    return m_impl->m_options.broker;
}

std::uint64_t MqttClient::connects() const
{
    return m_impl->m_connects.load(std::memory_order_relaxed);
}

std::uint64_t MqttClient::disconnects() const
{
    return m_impl->m_disconnects.load(std::memory_order_relaxed);
}

std::uint64_t MqttClient::received() const
{
    return m_impl->m_received.load(std::memory_order_relaxed);
}

std::uint64_t MqttClient::dropped() const
{
    return m_impl->m_dropped.load(std::memory_order_relaxed);
}

} // namespace twindesk::live

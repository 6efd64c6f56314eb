// bench_console_3d: issue #8 §2 — frame time of the console's 3D building view under the
// software OpenGL this machine has (Mesa llvmpipe under Xvfb), for buildings of 200 and
// 2 000 rooms (and any --rooms given). For each size: a generated office building
// (bench_building.h) imported into a project, then the real console opened on it with
// `--frame-stats N`, which orbits the camera one degree per frame (so every frame redraws the
// whole scene) and prints the frame-to-frame times after 10 warm-up frames.
// Usage (needs an X display): xvfb-run -a -s "-screen 0 1920x1080x24" build/bench/bench_console_3d
//         [--rooms N]... [--frames F]
#include "bench_building.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::string run(const std::string& command, int& status)
{
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        status = -1;
        return out;
    }
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr)
        out += buf;
    status = ::pclose(pipe);
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<int> sizes;
    int frames = 300;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--rooms")
            sizes.push_back(std::atoi(argv[i + 1]));
        else if (a == "--frames")
            frames = std::atoi(argv[i + 1]);
    }
    if (sizes.empty())
        sizes = {200, 2000};
    const char* display = std::getenv("DISPLAY"); // NOLINT(concurrency-mt-unsafe)
    if (display == nullptr || *display == '\0') {
        std::fprintf(stderr, "bench_console_3d: needs an X display (Quick 3D draws nothing "
                             "offscreen); run it under xvfb-run -a\n");
        return 2;
    }
    const fs::path dir = fs::temp_directory_path() / ("twindesk-bench-3d-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::printf("3D view frame times (software OpenGL), %d frames each, 1280×800 window\n", frames);
    int failures = 0;
    for (const int rooms : sizes) {
        const fs::path ttl = dir / ("offices-" + std::to_string(rooms) + ".ttl");
        const fs::path project = dir / ("offices-" + std::to_string(rooms) + ".twin");
        twindesk::bench::writeBuilding(ttl, rooms);
        int status = 0;
        const std::string exe = TWINDESK_EXE;
        run(exe + " import-brick " + ttl.string() + " -o " + project.string() + " --force 2>&1",
            status);
        if (status != 0) {
            std::fprintf(stderr, "import of %d rooms failed\n", rooms);
            ++failures;
            continue;
        }
        const std::string out =
            run("QT_QPA_PLATFORM=xcb " + exe + " " + project.string() + " --view 3d --metric occupancy --frame-stats " +
                    std::to_string(frames) + " 2>/dev/null",
                status);
        const auto at = out.find("frames ");
        if (status != 0 || at == std::string::npos) {
            std::fprintf(stderr, "console on %d rooms failed: %s\n", rooms, out.c_str());
            ++failures;
            continue;
        }
        std::printf("%5d rooms: %s", rooms, out.substr(at).c_str());
    }
    fs::remove_all(dir);
    return failures == 0 ? 0 : 1;
}

#include "assets.h"

#include <array>
#include <cstdlib>
#include <unistd.h>

namespace twindesk::app {

namespace {
bool looksLikeAssets(const std::filesystem::path& dir)
{
    std::error_code ec;
    return std::filesystem::exists(dir / "ontology" / "twindesk.ttl", ec);
}

std::filesystem::path executableDir()
{
    std::array<char, 4096> buf{};
    const auto n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0)
        return {};
    return std::filesystem::path(std::string(buf.data(), static_cast<std::size_t>(n)))
        .parent_path();
}
} // namespace

bool runningFromBuildTree()
{
#ifdef TWINDESK_BUILD_DIR
    const auto exe = executableDir();
    if (exe.empty())
        return false;
    std::error_code ec;
    const auto build = std::filesystem::weakly_canonical(TWINDESK_BUILD_DIR, ec);
    if (ec)
        return false;
    const auto rel = exe.lexically_relative(build);
    return !rel.empty() && *rel.begin() != "..";
#else
    return false;
#endif
}

std::optional<std::filesystem::path> assetsDir()
{
    // getenv only races with setenv/putenv, which TwinDesk never calls.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    if (const char* env = std::getenv("TWINDESK_ASSETS_DIR"); env != nullptr && *env != '\0') {
        if (looksLikeAssets(env))
            return std::filesystem::path(env);
    }
    const auto exe = executableDir();
    if (!exe.empty()) {
        const auto installed = exe.parent_path() / "share" / "twindesk" / "assets";
        if (looksLikeAssets(installed))
            return installed;
    }
#ifdef TWINDESK_SOURCE_ASSETS_DIR
    if (runningFromBuildTree() && looksLikeAssets(TWINDESK_SOURCE_ASSETS_DIR))
        return std::filesystem::path(TWINDESK_SOURCE_ASSETS_DIR);
#endif
    return std::nullopt;
}

std::string assetsNotFoundMessage()
{
    std::string looked;
    const auto exe = executableDir();
    if (!exe.empty())
        looked = (exe.parent_path() / "share" / "twindesk" / "assets").string();
#ifdef TWINDESK_SOURCE_ASSETS_DIR
    if (runningFromBuildTree())
        looked += std::string(", ") + TWINDESK_SOURCE_ASSETS_DIR;
#endif
    return "the bundled assets (demo building, ontology, scenarios) were not found in " + looked +
           "; reinstall the twindesk package, or set TWINDESK_ASSETS_DIR to an assets/ folder";
}

std::vector<std::filesystem::path> bundledOntology(const std::filesystem::path& assets)
{
    return {assets / "ontology" / "brick-1.3-classes.ttl", assets / "ontology" / "twindesk.ttl"};
}

} // namespace twindesk::app

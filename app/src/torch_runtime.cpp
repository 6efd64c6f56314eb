#include "torch_runtime.h"

#include "assets.h"

#include <twindesk/policies/consolidation_policy.h>

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

namespace twindesk::app {

namespace {

std::vector<std::filesystem::path> candidates()
{
    std::vector<std::filesystem::path> out;
    if (const char* env = std::getenv("TWINDESK_TORCH_PLUGIN"); env != nullptr && *env != '\0')
        out.emplace_back(env);
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        out.push_back(exe.parent_path() / "libtwindesk-torch.so");
        out.push_back(exe.parent_path().parent_path() / "lib" / "twindesk" /
                      "libtwindesk-torch.so");
    }
#ifdef TWINDESK_TORCH_PLUGIN_BUILD_PATH
    // Like the assets: an installed binary uses its own package's plugin, never a build tree's.
    if (runningFromBuildTree())
        out.emplace_back(TWINDESK_TORCH_PLUGIN_BUILD_PATH);
#endif
    return out;
}

twin::Result<TorchRuntime> open()
{
    std::string tried;
    for (const auto& path : candidates()) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            tried += (tried.empty() ? "" : ", ") + path.string();
            continue;
        }
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr)
            return twin::makeError(twin::ErrorCode::IoError,
                                   std::string("cannot load the LibTorch runtime: ") + dlerror(),
                                   path.string());
        using Getter = void* (*)();
        auto* loader = reinterpret_cast<Getter>(dlsym(handle, "twindesk_torch_loader")); // NOLINT
        auto* trainer = reinterpret_cast<Getter>(dlsym(handle, "twindesk_torch_train")); // NOLINT
        if (loader == nullptr || trainer == nullptr)
            return twin::makeError(twin::ErrorCode::CorruptFile,
                                   "not a TwinDesk LibTorch runtime (entry points missing)",
                                   path.string());
        TorchRuntime rt;
        rt.load = reinterpret_cast<TorchRuntime::LoadFn>(loader());    // NOLINT
        rt.train = reinterpret_cast<TorchRuntime::TrainFn>(trainer()); // NOLINT
        rt.plugin = path;
        return rt; // the handle stays open for the life of the process
    }
    return twin::makeError(twin::ErrorCode::NotFound,
                           "the LibTorch runtime libtwindesk-torch.so is not installed (looked "
                           "in: " +
                               tried +
                               "); install the twindesk-torch package, or set "
                               "TWINDESK_TORCH_PLUGIN to its path");
}

} // namespace

twin::Result<TorchRuntime> torchRuntime()
{
    static std::once_flag once;
    static std::optional<twin::Result<TorchRuntime>> runtime;
    std::call_once(once, [] { runtime.emplace(open()); });
    return *runtime;
}

void installLazyTorchLoader()
{
    policies::setPredictorLoader(
        [](const std::filesystem::path& model)
            -> twin::Result<std::shared_ptr<const policies::UtilisationPredictor>> {
            auto rt = torchRuntime();
            if (!rt)
                return rt.error();
            return rt->load(model);
        });
}

} // namespace twindesk::app

// libtwindesk-torch.so: the LibTorch model runtime, opened by the CLI on first use
// (torch_runtime.h). Two C entry points hand out plain function pointers; both sides are built
// from the same sources by the same compiler, so the C++ types they pass are the same.
#include "torch_runtime.h"
#include "train_command.h"

#include <twindesk/torch/torch_predictor.h>

namespace {
using namespace twindesk;

twin::Result<std::shared_ptr<const twindesk::policies::UtilisationPredictor>>
loadPredictor(const std::filesystem::path& model)
{
    auto loaded = twindesk::torch::TorchUtilisationPredictor::load(model);
    if (!loaded)
        return loaded.error();
    return std::shared_ptr<const twindesk::policies::UtilisationPredictor>(*loaded);
}

} // namespace

extern "C" __attribute__((visibility("default"))) void* twindesk_torch_loader()
{
    twindesk::app::TorchRuntime::LoadFn fn = &loadPredictor;
    return reinterpret_cast<void*>(fn); // NOLINT: a function pointer through dlsym's void*
}

extern "C" __attribute__((visibility("default"))) void* twindesk_torch_train()
{
    twindesk::app::TorchRuntime::TrainFn fn = &twindesk::app::runTrain;
    return reinterpret_cast<void*>(fn); // NOLINT
}

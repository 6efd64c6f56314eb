#pragma once
/// \file torch_runtime.h
/// LibTorch, loaded only when it is needed. The model runtime (policies/torch: TorchScript
/// models, the C++-trained forecaster, `twindesk train`) is built as a plugin,
/// libtwindesk-torch.so, that the CLI opens with dlopen the first time a scenario's policy names
/// a model or `train` runs. Linking LibTorch into the executable would cost every start
/// ~0.8 s and ~150 MB (measured: `twindesk --version` 0.05 s / 29 MB without, 0.8 s / 180 MB
/// with), for the few runs that use a model.
///
/// Where the plugin is looked for, in order: $TWINDESK_TORCH_PLUGIN; next to the executable;
/// <executable>/../lib/twindesk/; the build tree it was built in.

#include "cli.h"

#include <twindesk/policies/consolidation.h>
#include <twindesk/twin/result.h>

#include <filesystem>
#include <memory>

namespace twindesk::app {

struct TrainOptions;

struct TorchRuntime
{
    using LoadFn = twin::Result<std::shared_ptr<const policies::UtilisationPredictor>> (*)(
        const std::filesystem::path& model);
    using TrainFn = int (*)(const TrainOptions& options, CliIo& io);
    LoadFn load = nullptr;
    TrainFn train = nullptr;
    std::filesystem::path plugin; ///< the file it came from
};

/// Opens the plugin once (later calls return the same runtime or the same error). The error
/// names every place looked in.
twin::Result<TorchRuntime> torchRuntime();

/// Installs a policies::PredictorLoader that opens the plugin on first use.
void installLazyTorchLoader();

} // namespace twindesk::app

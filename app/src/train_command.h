#pragma once
/// \file train_command.h
/// `twindesk train forecaster`: trains the host utilisation forecaster (policies/torch,
/// docs/torch.md) on simulated history of PlanetLab training days, saves it as TorchScript
/// with its schema beside it, and reports on held-out days: forecast error against CloudSim's
/// LR line and the end-to-end day with ML-MMT-<safety> against the history policy
/// (LR-MMT-1.2), CloudSim accounting and memory rule, as bench_consolidation runs it.
///
/// Progress goes to `err`, the report to `out` (JSON with --json).
/// Exit codes: 0 trained and saved; 1 the data, training or saving failed (the message names
/// the file); 2 the options are wrong (missing --traces/--train-days/-o, unknown model kind,
/// out-of-range numbers, an existing output without --force).

#include "cli.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::app {

struct TrainOptions
{
    std::string model = "forecaster";         ///< what to train; only "forecaster" exists
    std::filesystem::path traces;             ///< --traces DIR: holds one folder per day
    std::vector<std::string> trainDays;       ///< --train-days D1,D2,...
    std::vector<std::string> testDays;        ///< --test-days D3,... (may be empty)
    std::filesystem::path output;             ///< -o MODEL.pt (MODEL.json is written beside it)
    int epochs = 6;                           ///< --epochs N
    std::uint64_t seed = 1;                   ///< --seed S
    double quantile = 0.8;                    ///< --quantile Q: pinball-loss level in (0, 1)
    std::size_t historyLength = 12;           ///< --history K (10..30)
    int maxHorizon = 3;                       ///< --max-horizon H
    std::size_t hiddenUnits = 32;             ///< --hidden N
    std::size_t hosts = 800;                  ///< --hosts N: fleet size of the day runs
    std::size_t maxVms = 0;                   ///< --max-vms N: first N traces per day (0 = all)
    std::string historyPolicy = "LR-MMT-1.2"; ///< --policy: moves VMs while history is taken
    double safety = 1.2;                      ///< --safety S: the ML detector is ML-MMT-S
    bool force = false;                       ///< --force: replace an existing MODEL.pt/.json
    bool json = false;                        ///< --json
};

int runTrain(const TrainOptions& options, CliIo& io);

/// "20110303,20110306" → {"20110303", "20110306"}; nullopt for an empty list or empty item.
/// Inline: the CLI (without LibTorch) parses, the plugin trains.
inline std::optional<std::vector<std::string>> parseDayList(std::string_view text)
{
    std::vector<std::string> days;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
        if (end == start)
            return std::nullopt;
        days.emplace_back(text.substr(start, end - start));
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    if (days.empty())
        return std::nullopt;
    return days;
}

} // namespace twindesk::app

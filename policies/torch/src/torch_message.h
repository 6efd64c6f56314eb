#pragma once
// Internal to policies/torch: shared by the two translation units that include LibTorch.

#include <c10/util/Exception.h>
#include <exception>
#include <string>

namespace twindesk::torch::detail {

/// LibTorch's message without its C++ backtrace, first line only.
inline std::string torchMessage(const std::exception& e)
{
    std::string what;
    if (const auto* c10 = dynamic_cast<const c10::Error*>(&e))
        what = c10->what_without_backtrace();
    else
        what = e.what();
    const std::size_t newline = what.find('\n');
    if (newline != std::string::npos)
        what.resize(newline);
    return what;
}

} // namespace twindesk::torch::detail

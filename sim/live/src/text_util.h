#pragma once
// Small text helpers shared by the live connector's parsers (private to twindesk_live).

#include <string>
#include <string_view>

namespace twindesk::live::text {

/// `s` without leading and trailing ASCII whitespace (space, \t, \n, \r, \f, \v).
inline std::string_view trimmed(std::string_view s)
{
    constexpr std::string_view kSpace = " \t\r\n\f\v";
    const auto first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

/// One key escaped as a JSON pointer token (RFC 6901: '~' → "~0", '/' → "~1").
inline std::string pointerToken(std::string_view key)
{
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

} // namespace twindesk::live::text

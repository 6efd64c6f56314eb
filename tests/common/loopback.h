#pragma once
// TCP on 127.0.0.1 for the tests that start real servers (mosquitto, PostgreSQL).
#include <arpa/inet.h>
#include <cstdint>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace twindesk::test {

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released); -1
/// when none could be had.
inline int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 && // NOLINT
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)    // NOLINT
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

/// True when something accepts TCP connections on 127.0.0.1:port.
inline bool loopbackAcceptsTcp(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0; // NOLINT
    ::close(fd);
    return ok;
}

} // namespace twindesk::test

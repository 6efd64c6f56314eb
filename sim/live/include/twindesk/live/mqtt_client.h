#pragma once
/// \file mqtt_client.h
/// The MQTT client of the live connector (issue #7): one broker connection over libmosquitto
/// (MQTT 3.1.1), with its own network thread, automatic reconnection and an ingest queue.
///
/// Threads. libmosquitto runs one network thread per connected client (started by connect(),
/// stopped by disconnect() and the destructor). It fills the incoming-message queue, the
/// acknowledged-id list and the connection events; callers read them from their own thread.
/// - Owner thread (one thread at a time, never concurrently with each other):
///   create(), connect(), disconnect(), the destructor.
/// - Any thread, concurrently: subscribe(), publish(), takeAcknowledged(), takeEvents(), state()
///   and the counters.
/// - drain(): any thread, but meant for one consumer (concurrent calls are serialised and split
///   the stream between them). Never destroy the client while a drain() is waiting.
///
/// Credentials never come from a URL: the password is read at connect() from a password file
/// or from the environment variable TWINDESK_MQTT_PASSWORD, is handed to libmosquitto and is
/// not kept, logged or returned by any function here.

#include <twindesk/twin/result.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::live {

/// The environment variable read for the broker password (ClientOptions::passwordFromEnv).
inline constexpr const char* kPasswordEnvVar = "TWINDESK_MQTT_PASSWORD";

/// A broker address parsed from `mqtt://[user@]host[:port]` or `mqtts://[user@]host[:port]`.
/// It holds no password by construction.
struct BrokerUrl
{
    bool tls = false;     ///< mqtts://
    std::string host;     ///< name, IPv4 address or IPv6 address (without brackets)
    int port = 1883;      ///< 1883 for mqtt://, 8883 for mqtts:// unless given
    std::string username; ///< from `user@host`; empty when absent
    bool operator==(const BrokerUrl&) const = default;
};

inline constexpr int kDefaultMqttPort = 1883;
inline constexpr int kDefaultMqttsPort = 8883;

/// Parses a broker URL. Refuses a password in the URL (`user:pw@host`): credentials must not
/// end up in logs, shell history or a project file, so the error says to use
/// TWINDESK_MQTT_PASSWORD or a password file instead (and never repeats the password).
[[nodiscard]] twin::Result<BrokerUrl> parseBrokerUrl(std::string_view url);

/// The URL again, e.g. "mqtts://twin@broker.local:8883" (IPv6 hosts in brackets). Never holds
/// a secret; meant for logs and error messages.
[[nodiscard]] std::string describe(const BrokerUrl& url);

struct ClientOptions
{
    BrokerUrl broker;
    /// MQTT client id; empty: libmosquitto picks a random one (needs cleanSession).
    std::string clientId;
    /// User name; empty: the one from the URL (`user@host`); both empty: anonymous.
    std::string username;
    /// A file whose first line is the password, read at each connect(). Takes precedence over
    /// the environment. Needs a user name.
    std::string passwordFile;
    /// Read the password from TWINDESK_MQTT_PASSWORD when no password file is given (only when
    /// there is a user name).
    bool passwordFromEnv = true;
    /// TLS (mqtts:// only). caFile: PEM file of the CA(s) that signed the broker's certificate;
    /// empty: the system's CA store. certFile/keyFile: a client certificate, both or neither.
    std::string caFile, certFile, keyFile;
    /// Skip the check that the broker's certificate names the host. The certificate chain is
    /// still verified. For test setups only.
    bool insecure = false;
    int keepaliveS = 30; ///< MQTT keep-alive, seconds (5..65535)
    /// Reconnection delay after a lost connection: starts at reconnectMin and grows
    /// (libmosquitto's backoff: min·n²) up to reconnectMax. Whole seconds, min ≥ 1 s.
    std::chrono::seconds reconnectMin{1}, reconnectMax{30};
    bool cleanSession = true;
    /// Messages that may wait in the incoming queue; beyond that new messages are dropped and
    /// counted (dropped()) so the network thread never blocks.
    std::size_t maxQueuedMessages = 1'000'000;
};

/// One received message. `receivedNs`: steady clock (std::chrono::steady_clock) when the
/// network thread took it, nanoseconds since that clock's epoch.
struct Message
{
    std::string topic;
    std::string payload;
    bool retained = false; ///< delivered from the broker's retained store (not live)
    std::int64_t receivedNs = 0;
};

enum class ConnectionState : std::uint8_t {
    /// Not connected and not trying: before connect(), after disconnect(), or after a
    /// failure that libmosquitto does not retry (a TLS handshake failure, a protocol error);
    /// the last event says why, and connect() starts again.
    Disconnected,
    Connecting, ///< connect() is waiting for the broker, or reconnecting after a loss
    Connected,  ///< the broker accepted the connection (CONNACK 0)
};

/// "disconnected", "connecting", "connected".
[[nodiscard]] const char* connectionStateName(ConnectionState state);

enum class ConnectionEventKind : std::uint8_t {
    Connected,    ///< CONNACK accepted (first connect or reconnect)
    Disconnected, ///< the connection ended (lost, or closed by disconnect())
    Refused,      ///< a (re)connection attempt was refused (credentials, TLS, ...)
};

/// A change of the connection, for recording telemetry gaps: between a Disconnected and the
/// next Connected no message arrives.
struct ConnectionEvent
{
    ConnectionEventKind kind = ConnectionEventKind::Connected;
    std::chrono::system_clock::time_point wallTime; ///< wall clock, for the record
    std::int64_t steadyNs = 0;                      ///< same clock as Message::receivedNs
    std::string detail; ///< e.g. "connection lost", "not authorised"; no secret
};

class MqttClient
{
public:
    /// Checks the options and prepares a client; does not connect. Initialises libmosquitto
    /// once per process (thread-safe).
    static twin::Result<std::unique_ptr<MqttClient>> create(ClientOptions options);

    /// Stops the network thread (see disconnect()).
    ~MqttClient();
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;
    MqttClient(MqttClient&&) = delete;
    MqttClient& operator=(MqttClient&&) = delete;

    /// Connects and waits for the broker's answer (CONNACK), at most `timeout`. Reads the
    /// password (file or environment) now. Fails, naming the broker URL, when the connection is
    /// refused or unreachable, the broker answers "not authorised", TLS fails (e.g. the
    /// certificate cannot be verified) or the timeout passes; on failure nothing keeps running.
    /// After success the client reconnects by itself after a loss (backoff reconnectMin ..
    /// reconnectMax) and renews every subscription on each reconnect. Connected already: ok.
    twin::Status connect(std::chrono::milliseconds timeout);

    /// Closes the connection (MQTT DISCONNECT when possible) and stops the network thread.
    /// Safe when the broker is gone. Subscriptions are kept for the next connect(). Returns at
    /// once in practice; while a TCP connection attempt to an unreachable (black-holed) host is
    /// still pending it can wait up to keepaliveS (libmosquitto's thread wakes no sooner).
    void disconnect();

    /// Subscribes to `filter` (wildcards + and # allowed) at `qos` (0..2) and keeps it: it is
    /// renewed after every reconnect. When connected, waits up to `timeout` for the broker's
    /// SUBACK and fails if the broker refuses it; when not connected it only records it (the
    /// subscription is made at connect; connect() returns once those SUBSCRIBEs are sent, not
    /// acknowledged).
    twin::Status subscribe(std::string filter, int qos,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Publishes; returns the message id (1..65535, wrapping). Fails (nothing sent, nothing
    /// queued) when not connected: the caller decides whether to keep the message and retry.
    /// An id means "handed to libmosquitto", not delivered: for QoS 1/2 wait for it in
    /// takeAcknowledged().
    twin::Result<int> publish(std::string_view topic, std::string_view payload, int qos,
                              bool retain);

    /// Ids of published messages that completed since the last call: QoS 1/2 when the broker
    /// acknowledged them, QoS 0 when they were written to the socket. Keeps at most 1 000 000
    /// ids (the oldest are discarded), so call it regularly if it is used at all.
    [[nodiscard]] std::vector<int> takeAcknowledged();

    /// Appends up to `max` queued messages to `out`, in arrival order; waits up to `wait` when
    /// the queue is empty. Returns how many were appended. Cheap: swaps buffers, and hands its
    /// buffer over when `out` is empty and takes all.
    std::size_t drain(std::vector<Message>& out, std::size_t max, std::chrono::milliseconds wait);

    /// Connection changes since the last call, oldest first (at most 10 000 kept).
    [[nodiscard]] std::vector<ConnectionEvent> takeEvents();

    [[nodiscard]] ConnectionState state() const;
    [[nodiscard]] const BrokerUrl& broker() const;
    [[nodiscard]] std::uint64_t connects() const;    ///< CONNACKs accepted (incl. reconnects)
    [[nodiscard]] std::uint64_t disconnects() const; ///< connections that ended
    [[nodiscard]] std::uint64_t received() const;    ///< messages delivered (incl. dropped)
    [[nodiscard]] std::uint64_t dropped() const;     ///< dropped: incoming queue full

private:
    class Impl;
    explicit MqttClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace twindesk::live

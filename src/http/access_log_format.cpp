#include "http/access_log_format.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace ringhttpd::http {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";  // as nginx writes them

// Printable ASCII other than the quote and the backslash: written as it is in either format.
bool plain(unsigned char c) {
    return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

// Appends `text` with escape(out, c) writing each byte that is not plain. Runs of plain bytes (a
// whole target or User-Agent, nearly always) are copied at once rather than byte by byte.
template <typename Escape>
void append_escaped_with(std::string& out, std::string_view text, Escape escape) {
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (plain(c)) continue;
        out.append(text.data() + run, i - run);
        escape(out, c);
        run = i + 1;
    }
    out.append(text.data() + run, text.size() - run);
}

void append_hex_byte(std::string& out, std::string_view prefix, unsigned char c) {
    out += prefix;
    out += hex_digits[c >> 4];
    out += hex_digits[c & 0xf];
}

// nginx's default escaping of variables in log lines.
void append_escaped(std::string& out, std::string_view text) {
    append_escaped_with(out, text,
                        [](std::string& o, unsigned char c) { append_hex_byte(o, "\\x", c); });
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    append_escaped_with(out, text, [](std::string& o, unsigned char c) {
        switch (c) {
            case '"':
                o += "\\\"";
                break;
            case '\\':
                o += "\\\\";
                break;
            case '\n':
                o += "\\n";
                break;
            case '\r':
                o += "\\r";
                break;
            case '\t':
                o += "\\t";
                break;
            default:
                append_hex_byte(o, "\\u00", c);
        }
    });
    out += '"';
}

// "-" for a header the request did not have, as nginx writes empty variables.
void append_header_or_dash(std::string& out, const request& req, std::string_view name) {
    auto value = req.header(name);
    if (value && !value->empty())
        append_escaped(out, *value);
    else
        out += '-';
}

std::string_view protocol(const request& req) {
    return req.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
}

void append_number(std::string& out, uint64_t n) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, size_t(end - digits));
}

// Nanoseconds as seconds with six decimals, rounded ("0.000125"), as printf's %.6f writes them.
void append_seconds(std::string& out, uint64_t nanoseconds) {
    const uint64_t micros = (nanoseconds + 500) / 1000;
    append_number(out, micros / 1'000'000);
    char fraction[8] = {'.'};
    uint64_t rest = micros % 1'000'000;
    for (int i = 6; i >= 1; --i, rest /= 10) fraction[i] = char('0' + rest % 10);
    out.append(fraction, 7);
}

// The client's address as text. Keep-alive brings one client's requests one after another, so
// the last one formatted on this thread is kept.
std::string_view address_text(const io::client_address& client) {
    thread_local io::client_address last{};
    thread_local std::string text = last.to_string();
    if (client.bytes != last.bytes) {
        last = client;
        text = client.to_string();
    }
    return text;
}

void append_combined(std::string& out, const exchange& e, const log_time& t) {
    out += address_text(e.client);
    out += " - - [";
    out += t.local;
    out += "] \"";
    if (!e.req.target.empty()) {
        append_escaped(out, e.req.method_name);
        out += ' ';
        append_escaped(out, e.req.target);
        out += ' ';
        out += protocol(e.req);
    }
    out += "\" ";
    append_number(out, uint64_t(e.status));
    out += ' ';
    append_number(out, e.body_bytes);
    out += " \"";
    append_header_or_dash(out, e.req, "Referer");
    out += "\" \"";
    append_header_or_dash(out, e.req, "User-Agent");
    out += "\"\n";
}

void append_json_field(std::string& out, std::string_view name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    append_json_string(out, value);
}

// Only on TLS connections: nginx's $ssl_protocol, $ssl_cipher, $ssl_session_reused, and
// $ssl_client_verify and $ssl_client_s_dn where client certificates are asked for.
void append_tls_fields(std::string& out, const tls_info& tls) {
    append_json_field(out, "tls_protocol", tls.protocol);
    append_json_field(out, "tls_cipher", tls.cipher);
    out += tls.session_reused ? ",\"tls_resumed\":true" : ",\"tls_resumed\":false";
    append_json_field(out, "tls_server_name", tls.server_name);
    if (tls.client != client_verify::none || !tls.client_subject.empty()) {
        append_json_field(out, "tls_client_verify", client_verify_name(tls.client));
        append_json_field(out, "tls_client_subject", tls.client_subject);
    }
}

void append_json(std::string& out, const exchange& e, const log_time& t,
                 std::string_view request_id) {
    out += "{\"ts\":\"";
    out += t.iso;
    out += '"';
    append_json_field(out, "remote", address_text(e.client));
    append_json_field(out, "method", e.req.target.empty() ? "" : e.req.method_name);
    append_json_field(out, "uri", e.req.target);
    append_json_field(out, "proto", e.req.target.empty() ? "" : protocol(e.req));
    out += ",\"status\":";
    append_number(out, uint64_t(e.status));
    out += ",\"size\":";
    append_number(out, e.body_bytes);
    out += ",\"bytes_read\":";
    append_number(out, e.bytes_read);
    out += ",\"duration\":";
    append_seconds(out, e.duration_ns);
    append_json_field(out, "user_agent", e.req.header("User-Agent").value_or(""));
    append_json_field(out, "referer", e.req.header("Referer").value_or(""));
    append_json_field(out, "host", e.req.host);
    append_json_field(out, "request_id", request_id);
    if (e.req.tls) append_tls_fields(out, *e.req.tls);
    out += "}\n";
}

}  // namespace

log_time log_time_now() {
    thread_local std::time_t cached_second = -1;
    thread_local char local[40], iso[48];
    thread_local size_t iso_length = 0, millis_at = 0;
    const auto now = std::chrono::system_clock::now();
    const auto since_epoch = now.time_since_epoch();
    const std::time_t second =
        std::time_t(std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
    const int millis =
        int(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000);
    if (second != cached_second) {
        std::tm tm{};
        localtime_r(&second, &tm);
        std::strftime(local, sizeof local, "%d/%b/%Y:%H:%M:%S %z", &tm);
        char iso_second[32], offset[8];  // offset: "+0000", written "+00:00"
        std::strftime(iso_second, sizeof iso_second, "%Y-%m-%dT%H:%M:%S", &tm);
        std::strftime(offset, sizeof offset, "%z", &tm);
        iso_length = size_t(
            std::snprintf(iso, sizeof iso, "%s.000%.3s:%.2s", iso_second, offset, offset + 3));
        millis_at = std::strlen(iso_second) + 1;
        cached_second = second;
    }
    // Within a second only the milliseconds change: three digits written in place, as
    // formatting the whole time per request cost more than the rest of the log line.
    iso[millis_at] = char('0' + millis / 100);
    iso[millis_at + 1] = char('0' + millis / 10 % 10);
    iso[millis_at + 2] = char('0' + millis % 10);
    return {local, std::string_view(iso, iso_length)};
}

void append_log_line(std::string& out, log_format format, const exchange& e, const log_time& t,
                     std::string_view request_id) {
    if (format == log_format::json)
        append_json(out, e, t, request_id);
    else
        append_combined(out, e, t);
}

}  // namespace ringhttpd::http

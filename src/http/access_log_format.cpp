#include "http/access_log_format.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace ringhttpd::http {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";  // as nginx writes them

// nginx's default escaping of variables in log lines.
void append_escaped(std::string& out, std::string_view text) {
    for (unsigned char c : text) {
        if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
            out += "\\x";
            out += hex_digits[c >> 4];
            out += hex_digits[c & 0xf];
        } else {
            out += char(c);
        }
    }
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c > 0x7e) {
                    out += "\\u00";
                    out += hex_digits[c >> 4];
                    out += hex_digits[c & 0xf];
                } else {
                    out += char(c);
                }
        }
    }
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
    char numbers[160];
    std::snprintf(numbers, sizeof numbers,
                  ",\"status\":%d,\"size\":%llu,\"bytes_read\":%llu,\"duration\":%.6f", e.status,
                  static_cast<unsigned long long>(e.body_bytes),
                  static_cast<unsigned long long>(e.bytes_read), double(e.duration_ns) / 1e9);
    out += numbers;
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
    thread_local char local[40], iso_second[32], zone[8], iso[48];
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
        std::strftime(iso_second, sizeof iso_second, "%Y-%m-%dT%H:%M:%S", &tm);
        char offset[8];  // "+0000" -> "+00:00"
        std::strftime(offset, sizeof offset, "%z", &tm);
        std::snprintf(zone, sizeof zone, "%.3s:%.2s", offset, offset + 3);
        cached_second = second;
    }
    const int n = std::snprintf(iso, sizeof iso, "%s.%03d%s", iso_second, millis, zone);
    return {local, std::string_view(iso, size_t(n))};
}

void append_log_line(std::string& out, log_format format, const exchange& e, const log_time& t,
                     std::string_view request_id) {
    if (format == log_format::json)
        append_json(out, e, t, request_id);
    else
        append_combined(out, e, t);
}

}  // namespace ringhttpd::http

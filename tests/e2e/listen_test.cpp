// Several listen addresses at once: IPv4 and IPv6 side by side, unix sockets, sites with
// addresses of their own, and reloads that add and remove addresses.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.hpp"

using namespace e2e;
using namespace std::chrono_literals;

namespace {

// Whether a TCP connection to 127.0.0.1:port is accepted.
bool connects(uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

// The body curl gets for `url` with `options` ("" when it fails).
std::string curl_body(const std::string& options, const std::string& url) {
    return capture("curl -s --max-time 5 " + options + " '" + url + "'");
}

bool logged(const server_process& server, const std::string& text) {
    return server.log().find(text) != std::string::npos;
}

}  // namespace

TEST(listen, ipv4_ipv6_and_a_unix_socket_at_once) {
    temp_dir dir;
    dir.write("www/index.html", "one site\n");
    const std::string sock = dir.path() + "/ringhttpd.sock";
    const std::string v6 = std::to_string(free_port());
    server_process server({"--listen", "127.0.0.1:0,[::1]:" + v6 + ",unix:" + sock},
                          dir.path() + "/www");
    const std::string v4 = std::to_string(server.port());
    EXPECT_TRUE(logged(
        server, "listening on http://127.0.0.1:" + v4 + ", http://[::1]:" + v6 + ", unix:" + sock))
        << server.log();
    EXPECT_EQ(curl_body("", "http://127.0.0.1:" + v4 + "/"), "one site\n");
    EXPECT_EQ(curl_body("-g", "http://[::1]:" + v6 + "/"), "one site\n");
    EXPECT_EQ(curl_body("--unix-socket " + sock, "http://localhost/"), "one site\n");

    server.signal(SIGQUIT);
    EXPECT_EQ(server.wait_exit(patience), 0);
    struct stat st {};
    EXPECT_NE(lstat(sock.c_str(), &st), 0) << "the socket file is removed at exit";
}

TEST(listen, a_stale_unix_socket_file_is_replaced_and_anything_else_is_refused) {
    temp_dir dir;
    const std::string sock = dir.path() + "/stale.sock";
    {  // a socket file whose server is gone
        const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
        ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        close(fd);
    }
    {
        server_process server({"--listen", "127.0.0.1:0,unix:" + sock});
        EXPECT_NE(curl_body("--unix-socket " + sock, "http://localhost/api/hello"), "");
        // A second server on the same live socket is refused, and names the fix.
        auto [status, output] =
            run_binary({"--root", RINGHTTPD_STATIC_DIR, "--listen", "127.0.0.1:0,unix:" + sock});
        EXPECT_EQ(status, 1);
        EXPECT_NE(output.find("another process listens there"), std::string::npos) << output;
    }
    dir.write("plain-file", "not a socket\n");
    auto [status, output] = run_binary(
        {"--root", RINGHTTPD_STATIC_DIR, "--listen", "unix:" + dir.path() + "/plain-file"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(output.find("the path exists and is not a socket"), std::string::npos) << output;
    EXPECT_EQ(read_file(dir.path() + "/plain-file"), "not a socket\n");
    auto [t_status, t_output] = run_binary(
        {"-t", "--root", RINGHTTPD_STATIC_DIR, "--listen", "unix:/nonexistent-dir/x.sock"});
    EXPECT_EQ(t_status, 1);
    EXPECT_NE(t_output.find("directory /nonexistent-dir"), std::string::npos) << t_output;
}

TEST(listen, a_site_answers_only_on_its_own_addresses) {
    temp_dir dir;
    dir.write("main/index.html", "main site\n");
    dir.write("admin/index.html", "admin site\n");
    const uint16_t admin_port = free_port();
    dir.write("ringhttpd.toml",
              "[[site]]\n"
              "server_name = \"admin.test\"\n"
              "listen = \"127.0.0.1:" +
                  std::to_string(admin_port) +
                  "\"\n"
                  "root = \"" +
                  dir.path() + "/admin\"\n");
    server_process server({"-c", dir.path() + "/ringhttpd.toml"}, dir.path() + "/main");
    // On the main address the admin site does not exist, whatever the Host says.
    EXPECT_EQ(curl_body("-H 'Host: admin.test'",
                        "http://127.0.0.1:" + std::to_string(server.port()) + "/"),
              "main site\n");
    // On its own address it is the default for any host, as nginx's first server there.
    EXPECT_EQ(
        curl_body("-H 'Host: other.test'", "http://127.0.0.1:" + std::to_string(admin_port) + "/"),
        "admin site\n");
}

TEST(listen, a_reload_binds_added_addresses_and_closes_removed_ones) {
    temp_dir dir;
    dir.write("www/index.html", "site\n");
    const uint16_t first = free_port(), second = free_port();
    auto config_on = [&](uint16_t port) {
        return "[[site]]\nserver_name = \"s.test\"\nroot = \"" + dir.path() +
               "/www\"\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\n";
    };
    dir.write("ringhttpd.toml", config_on(first));
    server_process server({"-c", dir.path() + "/ringhttpd.toml"});
    client kept(first);  // open before the reload: still served after it
    ASSERT_TRUE(kept.roundtrip(get("/index.html")));

    dir.write("ringhttpd.toml", config_on(second));
    server.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return logged(server, "reload 1: applied"); }, "reload 1 applied"))
        << server.log();
    EXPECT_EQ(curl_body("", "http://127.0.0.1:" + std::to_string(second) + "/index.html"),
              "site\n");
    ASSERT_TRUE(wait_until(
        patience, [&] { return !connects(first); }, "the old address closed"));
    auto on_kept = kept.roundtrip(get("/index.html"));
    ASSERT_TRUE(on_kept);
    EXPECT_EQ(on_kept->status, 200);

    // An address another program holds refuses the reload whole.
    const int blocker = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;  // the kept connection still uses the port
    setsockopt(blocker, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(first);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(blocker, 8), 0);
    dir.write("ringhttpd.toml", config_on(first));
    server.signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        patience, [&] { return logged(server, "reload 2: refused"); }, "reload 2 refused"))
        << server.log();
    EXPECT_TRUE(logged(server, "cannot bind 127.0.0.1:" + std::to_string(first)));
    EXPECT_EQ(curl_body("", "http://127.0.0.1:" + std::to_string(second) + "/index.html"),
              "site\n");
    close(blocker);
}

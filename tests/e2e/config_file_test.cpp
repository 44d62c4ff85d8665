// The binary with a configuration file: -c, -t, -T, precedence and errors with their place.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.hpp"

using namespace e2e;

TEST(config_file, the_file_configures_the_server_and_flags_override_it) {
    temp_dir dir;
    dir.write("ringhttpd.toml",
              "listen = \"127.0.0.1:1\"      # the harness's --listen overrides it\n"
              "root = \"/nonexistent\"       # and its --root\n"
              "server_tokens = true\n"
              "keepalive_requests = 2\n");
    server_process server({"-c", dir.path() + "/ringhttpd.toml"});
    client c(server.port());
    auto first = c.roundtrip(get("/api/hello"));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->header("server"), std::string("ringhttpd/") + RINGHTTPD_VERSION_STRING);
    auto second = c.roundtrip(get("/index.html"));  // the root is the harness's
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->header("connection"), "close");  // keepalive_requests = 2, from the file
}

TEST(config_file, test_mode_reports_valid_files_and_exits_0) {
    temp_dir dir;
    dir.write("ok.toml", "root = \"" + std::string(RINGHTTPD_STATIC_DIR) +
                             "\"\nthreads = 1\nlisten = \"127.0.0.1:0\"\n");
    auto [status, out] = run_binary({"-t", "-c", dir.path() + "/ok.toml"});
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("ok.toml: valid"), std::string::npos) << out;
}

TEST(config_file, errors_name_the_file_line_and_column_and_exit_1) {
    temp_dir dir;
    const std::string file = dir.path() + "/bad.toml";
    dir.write("bad.toml", "threads = 2\nsend_timout = \"5s\"\n");
    for (const auto& args : {std::vector<std::string>{"-t", "-c", file},  // test mode
                             std::vector<std::string>{"-c", file}}) {     // and a start
        auto [status, out] = run_binary(args);
        EXPECT_EQ(status, 1) << out;
        EXPECT_NE(out.find(file + ":2:1: unknown key 'send_timout' (did you mean send_timeout?)"),
                  std::string::npos)
            << out;
    }
    dir.write("range.toml", "keepalive_requests = 0\n");
    auto [status, out] = run_binary({"-t", "-c", dir.path() + "/range.toml"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(out.find("range.toml:1:22: keepalive_requests: '0' is out of range"),
              std::string::npos)
        << out;
}

TEST(config_file, test_mode_checks_the_document_root) {
    temp_dir dir;
    dir.write("root.toml", "root = \"" + dir.path() + "/missing\"\n");
    auto [status, out] = run_binary({"-t", "-c", dir.path() + "/root.toml"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(out.find("cannot open document root"), std::string::npos) << out;
    auto missing = run_binary({"-t", "-c", dir.path() + "/none.toml"});
    EXPECT_EQ(missing.first, 1);
    EXPECT_NE(missing.second.find("none.toml: cannot read the configuration file"),
              std::string::npos)
        << missing.second;
    auto directory = run_binary({"-t", "-c", dir.path()});
    EXPECT_EQ(directory.first, 1);
    EXPECT_NE(directory.second.find("it is a directory; name the file in it"), std::string::npos)
        << directory.second;
}

TEST(config_file, dump_prints_a_file_that_configures_the_same_server) {
    temp_dir dir;
    dir.write("in.toml", "gzip = false\nexpires = \"1h\"\n");
    auto [status, dumped] = run_binary({"-T", "-c", dir.path() + "/in.toml", "--threads", "3"});
    ASSERT_EQ(status, 0) << dumped;
    EXPECT_NE(dumped.find("\ngzip = false\n"), std::string::npos) << dumped;  // the file
    EXPECT_NE(dumped.find("\nthreads = 3\n"), std::string::npos) << dumped;   // the flag
    EXPECT_NE(dumped.find("\nexpires = \"1h\"\n"), std::string::npos) << dumped;
    dir.write("dumped.toml", dumped);
    auto again = run_binary({"-T", "-c", dir.path() + "/dumped.toml"});
    EXPECT_EQ(again.first, 0);
    EXPECT_EQ(again.second, dumped);
}

TEST(config_file, test_mode_checks_that_the_port_is_free_for_this_server) {
    // Another program listens on a port (a plain socket, as nginx's): -t fails and says so.
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string taken = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    auto [status, out] = run_binary({"-t", "--listen", taken, "--root", RINGHTTPD_STATIC_DIR});
    EXPECT_EQ(status, 1);
    EXPECT_NE(out.find("cannot bind " + taken), std::string::npos) << out;
    EXPECT_NE(out.find("another process listens there"), std::string::npos) << out;
    close(fd);

    // A running ringhttpd on its own port does not fail the check made before its reload.
    server_process running;
    const std::string own = "127.0.0.1:" + std::to_string(running.port());
    auto again = run_binary({"-t", "--listen", own, "--root", RINGHTTPD_STATIC_DIR});
    EXPECT_EQ(again.first, 0) << again.second;
    auto res = client(running.port()).roundtrip(get("/api/hello"));  // and it still serves
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}

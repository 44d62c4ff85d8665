#include "io/file_sender.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

using namespace ringhttpd;

namespace {

constexpr size_t file_size = 256 * 1024;

// A file of real (non-sparse) bytes, written and flushed so its pages are clean and can be
// dropped from the page cache on demand.
std::shared_ptr<const unique_fd> flushed_file() {
    char path[] = "/tmp/ringhttpd-file-sender-XXXXXX";
    unique_fd fd(mkstemp(path));
    unlink(path);
    const std::string bytes(file_size, 'x');
    EXPECT_EQ(write(fd.get(), bytes.data(), bytes.size()), ssize_t(bytes.size()));
    EXPECT_EQ(fsync(fd.get()), 0);
    return std::make_shared<const unique_fd>(std::move(fd));
}

// Drops the file's pages from the page cache; true when a fresh check (nothing remembered) now
// sees that. False where the kernel cannot tell (cachestat needs Linux 6.5) or kept the pages.
bool evicted(const std::shared_ptr<const unique_fd>& fd) {
    if (posix_fadvise(fd->get(), 0, 0, POSIX_FADV_DONTNEED) != 0) return false;
    io::page_cache_check fresh;
    return !fresh.chunk_resident(io::file_range{fd, 0, file_size}, file_size, 10'000);
}

constexpr const char* cannot_evict = "the kernel cannot tell (cachestat) or kept the pages";

}  // namespace

TEST(page_cache_check, remembers_a_resident_range_for_a_second_then_looks_again) {
    auto fd = flushed_file();
    const io::file_range whole{fd, 0, file_size};
    io::page_cache_check check;
    ASSERT_TRUE(check.chunk_resident(whole, file_size, 10'000));  // just written: in the cache

    if (!evicted(fd)) GTEST_SKIP() << cannot_evict;
    EXPECT_TRUE(check.chunk_resident(whole, file_size, 10'900)) << "remembered for a second";
    EXPECT_TRUE(check.chunk_resident(io::file_range{fd, 4096, 8192}, file_size, 10'900))
        << "a part of the remembered range";
    EXPECT_FALSE(check.chunk_resident(whole, file_size, 11'000)) << "a second later: asks again";
}

TEST(page_cache_check, a_range_not_yet_checked_is_asked_about) {
    auto fd = flushed_file();
    io::page_cache_check check;
    ASSERT_TRUE(check.chunk_resident(io::file_range{fd, 0, 4096}, 4096, 10'000));
    if (!evicted(fd)) GTEST_SKIP() << cannot_evict;
    EXPECT_FALSE(check.chunk_resident(io::file_range{fd, 0, file_size}, file_size, 10'001));
}

TEST(page_cache_check, consecutive_chunks_of_a_file_are_remembered_together) {
    auto fd = flushed_file();
    io::page_cache_check check;
    const size_t half = file_size / 2;
    ASSERT_TRUE(check.chunk_resident(io::file_range{fd, 0, file_size}, half, 10'000));
    ASSERT_TRUE(check.chunk_resident(io::file_range{fd, off_t(half), half}, half, 10'000));
    if (!evicted(fd)) GTEST_SKIP() << cannot_evict;
    EXPECT_TRUE(check.chunk_resident(io::file_range{fd, 0, file_size}, half, 10'500));
    EXPECT_TRUE(check.chunk_resident(io::file_range{fd, off_t(half), half}, half, 10'500));
    EXPECT_FALSE(check.chunk_resident(io::file_range{fd, 0, file_size}, half, 11'000));
}

// The fallback before Linux 6.5 (or under RINGHTTPD_KERNEL_COMPAT below 6.5): no cachestat, so
// a file is never sent through a worker first, even when it is not in the page cache.
TEST(page_cache_check, without_cachestat_every_chunk_counts_as_resident) {
    auto fd = flushed_file();
    io::page_cache_check check(false);
    EXPECT_FALSE(check.uses_cachestat());
    if (!evicted(fd)) GTEST_SKIP() << cannot_evict;
    EXPECT_TRUE(check.chunk_resident(io::file_range{fd, 0, file_size}, file_size, 10'000));
}

TEST(page_cache_check, this_kernel_is_asked_whether_it_has_cachestat) {
    struct utsname u {};
    ASSERT_EQ(uname(&u), 0);
    int major = 0, minor = 0;
    ASSERT_EQ(std::sscanf(u.release, "%d.%d", &major, &minor), 2);
    EXPECT_EQ(io::kernel_has_cachestat(), major * 100 + minor >= 605) << u.release;
}

TEST(send_file_nonblocking, stops_with_eagain_when_the_socket_is_full_and_advances_the_file) {
    auto fd = flushed_file();
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    unique_fd ours(pair[0]), peer(pair[1]);
    int small = 4096;
    ASSERT_EQ(setsockopt(ours.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);

    io::file_range body{fd, 0, file_size};
    long sent = 0, n;
    while ((n = io::send_file_nonblocking(ours.get(), body, file_size)) > 0) sent += n;
    EXPECT_EQ(n, -EAGAIN) << "the peer reads nothing: the call must return, not wait";
    EXPECT_GT(sent, 0);
    EXPECT_LT(uint64_t(sent), file_size);
    EXPECT_EQ(uint64_t(body.offset), uint64_t(sent));
    EXPECT_EQ(body.length, file_size - uint64_t(sent));
}

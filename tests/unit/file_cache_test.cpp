#include "handlers/file_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

using namespace ringhttpd;
using handlers::cached_file;
using handlers::content_budget;
using handlers::file_cache;
using handlers::file_cache_limits;

namespace {

constexpr std::time_t now_s = 1'000;

// A temporary root with real files, since the cache revalidates entries against the disk.
class cache_root : public ::testing::Test {
  protected:
    void SetUp() override {
        char dir[] = "/tmp/ringhttpd-file-cache-XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        path_ = dir;
        root_.reset(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    void TearDown() override { std::system(("rm -rf " + path_).c_str()); }

    // Writes `name` and describes it as the static handler would cache it: in memory, or with
    // its descriptor open when `keep_open`.
    file_cache::entry make(const std::string& name, const std::string& bytes,
                           bool keep_open = false) {
        std::ofstream(path_ + "/" + name, std::ios::binary) << bytes;
        auto file = std::make_shared<cached_file>();
        file->path = name;
        EXPECT_EQ(fstatat(root_.get(), name.c_str(), &file->st, 0), 0);
        if (keep_open) {
            file->fd = std::make_shared<const unique_fd>(
                openat(root_.get(), name.c_str(), O_RDONLY | O_CLOEXEC));
        } else {
            file->content = bytes;
        }
        return file;
    }

    bool cached(file_cache& cache, const std::string& key, std::time_t at = now_s) {
        return cache.find(root_.get(), key, at) != nullptr;
    }

    std::string path_;
    unique_fd root_;
};

TEST_F(cache_root, the_least_recently_used_entry_makes_room) {
    content_budget budget(1 << 20);
    file_cache cache(file_cache_limits{3, 3}, budget);
    for (const char* name : {"a", "b", "c"}) cache.store(name, make(name, name), now_s);
    ASSERT_TRUE(cached(cache, "a"));  // a is now the most recent; b the least
    cache.store("d", make("d", "d"), now_s);
    EXPECT_EQ(cache.size(), 3u);
    EXPECT_FALSE(cached(cache, "b")) << "the least recently used entry goes";
    EXPECT_TRUE(cached(cache, "a"));
    EXPECT_TRUE(cached(cache, "c"));
    EXPECT_TRUE(cached(cache, "d"));
}

TEST_F(cache_root, descriptors_are_bounded_apart_from_entries) {
    content_budget budget(1 << 20);
    file_cache cache(file_cache_limits{100, 2}, budget);
    cache.store("small", make("small", "x"), now_s);
    for (const char* name : {"big1", "big2", "big3"})
        cache.store(name, make(name, "y", true), now_s);
    EXPECT_EQ(cache.open_descriptors(), 2u);
    EXPECT_FALSE(cached(cache, "big1")) << "the oldest descriptor is given up for the newest";
    EXPECT_TRUE(cached(cache, "big2"));
    EXPECT_TRUE(cached(cache, "big3"));
    EXPECT_TRUE(cached(cache, "small")) << "an in-memory entry never makes room for a descriptor";
}

TEST_F(cache_root, the_rings_caches_share_one_content_budget) {
    content_budget budget(10);
    file_cache first(file_cache_limits{}, budget), second(file_cache_limits{}, budget);
    first.store("a", make("a", "123456"), now_s);
    second.store("b", make("b", "12345"), now_s);
    EXPECT_FALSE(cached(second, "b")) << "the other cache holds the budget: not kept";
    second.store("big", make("big", "y", true), now_s);
    EXPECT_TRUE(cached(second, "big")) << "a descriptor needs no content budget";
    second.store("c", make("c", "1234"), now_s);
    EXPECT_TRUE(cached(second, "c")) << "what is left of the budget is anyone's";
    {
        file_cache gone(file_cache_limits{}, budget);
        gone.store("d", make("d", "x"), now_s);
        EXPECT_FALSE(cached(gone, "d")) << "the budget is spent";
    }
    first.store("a", make("a", "1"), now_s);  // replacing gives the old bytes back
    second.store("e", make("e", "12345"), now_s);
    EXPECT_TRUE(cached(second, "e"));
}

TEST_F(cache_root, a_cache_gives_its_bytes_back_when_it_goes) {
    content_budget budget(10);
    {
        file_cache first(file_cache_limits{}, budget);
        first.store("a", make("a", "1234567890"), now_s);
        ASSERT_TRUE(cached(first, "a"));
    }
    file_cache second(file_cache_limits{}, budget);
    second.store("b", make("b", "1234567890"), now_s);
    EXPECT_TRUE(cached(second, "b"));
}

TEST_F(cache_root, content_bytes_are_bounded) {
    content_budget budget(10);
    file_cache cache(file_cache_limits{100, 10}, budget);
    cache.store("four", make("four", "1234"), now_s);
    cache.store("five", make("five", "12345"), now_s);
    cache.store("big", make("big", "y", true), now_s);
    cache.store("three", make("three", "123"), now_s);  // 12 bytes: the oldest content goes
    EXPECT_FALSE(cached(cache, "four"));
    EXPECT_TRUE(cached(cache, "five"));
    EXPECT_TRUE(cached(cache, "three"));
    EXPECT_TRUE(cached(cache, "big")) << "a descriptor holds no bytes and stays";
    cache.store("huge", make("huge", std::string(11, 'z')), now_s);
    EXPECT_FALSE(cached(cache, "huge")) << "larger than the whole budget: not kept";
    EXPECT_TRUE(cached(cache, "five")) << "and nothing was evicted for it";
}

TEST_F(cache_root, when_full_the_older_of_either_kind_goes) {
    content_budget budget(1 << 20);
    file_cache cache(file_cache_limits{2, 2}, budget);
    cache.store("open", make("open", "y", true), now_s);
    cache.store("memory", make("memory", "x"), now_s);
    ASSERT_TRUE(cached(cache, "open"));  // now "memory" is the least recent of all
    cache.store("next", make("next", "z"), now_s);
    EXPECT_FALSE(cached(cache, "memory"));
    EXPECT_TRUE(cached(cache, "open"));
    EXPECT_TRUE(cached(cache, "next"));
}

TEST_F(cache_root, a_full_cache_that_mostly_misses_takes_in_one_new_file_in_eight) {
    content_budget budget(1 << 20);
    file_cache cache(file_cache_limits{4, 4}, budget);
    for (int i = 0; i < 4; ++i) cache.store("old" + std::to_string(i), make("x", "x"), now_s);
    int kept = 0;
    for (int i = 0; i < 32; ++i) {
        const std::string key = "new" + std::to_string(i);
        EXPECT_FALSE(cached(cache, key));  // every lookup misses
        cache.store(key, make("x", "x"), now_s);
        kept += cached(cache, key);
    }
    EXPECT_EQ(kept, 4) << "one in eight";
    cache.store("gzip", make("x", "x"), now_s, file_cache::remake::costly);
    EXPECT_TRUE(cached(cache, "gzip")) << "a compressed copy is always kept";
}

TEST_F(cache_root, a_full_cache_that_mostly_hits_takes_in_every_new_file) {
    content_budget budget(1 << 20);
    file_cache cache(file_cache_limits{4, 4}, budget);
    cache.store("hot", make("hot", "h"), now_s);
    for (int i = 0; i < 3; ++i) cache.store("old" + std::to_string(i), make("x", "x"), now_s);
    for (int i = 0; i < 8; ++i) {
        for (int hit = 0; hit < 3; ++hit) ASSERT_TRUE(cached(cache, "hot"));
        const std::string key = "new" + std::to_string(i);
        EXPECT_FALSE(cached(cache, key));
        cache.store(key, make("x", "x"), now_s);
        EXPECT_TRUE(cached(cache, key)) << key;
    }
}

TEST_F(cache_root, zero_entries_turns_the_cache_off) {
    content_budget budget(0);
    file_cache cache(file_cache_limits{0, 0}, budget);
    cache.store("a", make("a", "a"), now_s);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_FALSE(cached(cache, "a"));
}

TEST_F(cache_root, a_changed_or_deleted_file_is_dropped_at_the_next_second) {
    content_budget budget(1 << 20);
    file_cache cache(file_cache_limits{}, budget);
    cache.store("page", make("page", "old"), now_s);
    cache.store("gone", make("gone", "here"), now_s);
    std::ofstream(path_ + "/page", std::ios::binary) << "changed, longer";
    ASSERT_EQ(unlink((path_ + "/gone").c_str()), 0);
    EXPECT_TRUE(cached(cache, "page")) << "checked at most once a second";
    EXPECT_FALSE(cached(cache, "page", now_s + 1));
    EXPECT_FALSE(cached(cache, "gone", now_s + 1));
    EXPECT_EQ(cache.size(), 0u);
}

TEST_F(cache_root, storing_a_key_again_replaces_its_entry) {
    content_budget budget(6);
    file_cache cache(file_cache_limits{10, 10}, budget);
    cache.store("a", make("a", "12345"), now_s);
    cache.store("a", make("a", "123456"), now_s);  // fits only once the old one is gone
    EXPECT_EQ(cache.size(), 1u);
    auto hit = cache.find(root_.get(), "a", now_s);
    ASSERT_NE(hit, nullptr);
    EXPECT_EQ(hit->content, "123456");
}

}  // namespace

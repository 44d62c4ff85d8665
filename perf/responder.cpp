// The floor for the bench: an HTTP/1.1 "server" that does nothing but what the kernel path
// needs, with the same io_uring machinery ringhttpd uses (multishot accept, multishot receive
// into a provided buffer ring, sends from the ring) and none of the HTTP: every "\r\n\r\n" it
// sees is answered with one fixed keep-alive response. perf/bench.py runs it beside the servers
// and divides their CPU time per request by its own (the "x floor" column). Not a server: it
// ignores what is asked, and closes only when the client does.
//
//   build/floor_responder PORT [BODY_BYTES, default 1024]

#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr unsigned buffer_count = 1024;  // as ringhttpd's defaults: 1024 buffers of 4 KiB
constexpr unsigned buffer_size = 4096;
constexpr unsigned buffer_group = 0;
constexpr uint64_t accept_tag = ~uint64_t(0);

[[noreturn]] void die(const char* what, int error) {
    std::fprintf(stderr, "floor_responder: %s: %s\n", what, std::strerror(error));
    std::exit(1);
}

int listen_on(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("bind", errno);
    if (listen(fd, 4096) != 0) die("listen", errno);
    return fd;
}

class responder {
  public:
    responder(int listener, std::string response)
        : listener_(listener), response_(std::move(response)) {
        io_uring_params params{};
        params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
                       IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
        if (int e = io_uring_queue_init_params(4096, &ring_, &params); e < 0) {
            params = {};  // a kernel before 6.1: none of the flags
            if ((e = io_uring_queue_init_params(4096, &ring_, &params)) < 0)
                die("io_uring_queue_init", -e);
        }
        if (posix_memalign(reinterpret_cast<void**>(&buffers_), 4096,
                           size_t(buffer_count) * buffer_size) != 0 ||
            posix_memalign(reinterpret_cast<void**>(&buffer_ring_), 4096,
                           buffer_count * sizeof(io_uring_buf)) != 0)
            die("posix_memalign", ENOMEM);
        io_uring_buf_reg reg{};
        reg.ring_addr = reinterpret_cast<uint64_t>(buffer_ring_);
        reg.ring_entries = buffer_count;
        reg.bgid = buffer_group;
        if (int e = io_uring_register_buf_ring(&ring_, &reg, 0); e < 0)
            die("io_uring_register_buf_ring", -e);
        io_uring_buf_ring_init(buffer_ring_);
        for (unsigned i = 0; i < buffer_count; ++i) give_back(uint16_t(i));
    }

    void run() {
        arm_accept();
        while (true) {
            io_uring_submit_and_wait(&ring_, 1);
            io_uring_cqe* cqe;
            unsigned head, seen = 0;
            io_uring_for_each_cqe(&ring_, head, cqe) {
                ++seen;
                on_completion(*cqe);
            }
            io_uring_cq_advance(&ring_, seen);
        }
    }

  private:
    io_uring_sqe* sqe() {
        io_uring_sqe* s = io_uring_get_sqe(&ring_);
        if (!s) {
            io_uring_submit(&ring_);
            s = io_uring_get_sqe(&ring_);
        }
        return s;
    }

    void arm_accept() {
        io_uring_sqe* s = sqe();
        io_uring_prep_multishot_accept(s, listener_, nullptr, nullptr, 0);
        io_uring_sqe_set_data64(s, accept_tag);
    }

    void arm_recv(int fd) {
        io_uring_sqe* s = sqe();
        io_uring_prep_recv_multishot(s, fd, nullptr, 0, 0);
        s->flags |= IOSQE_BUFFER_SELECT;
        s->buf_group = buffer_group;
        io_uring_sqe_set_data64(s, uint64_t(fd));
    }

    // Sends whose completions only say "sent": skipped unless they fail.
    void send_response(int fd) {
        io_uring_sqe* s = sqe();
        io_uring_prep_send(s, fd, response_.data(), response_.size(), MSG_NOSIGNAL);
        s->flags |= IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(s, uint64_t(fd) | (uint64_t(1) << 32));
    }

    void give_back(uint16_t id) {
        io_uring_buf_ring_add(buffer_ring_, buffers_ + size_t(id) * buffer_size, buffer_size, id,
                              io_uring_buf_ring_mask(buffer_count), 0);
        io_uring_buf_ring_advance(buffer_ring_, 1);
    }

    void on_completion(const io_uring_cqe& cqe) {
        const uint64_t tag = io_uring_cqe_get_data64(&cqe);
        if (tag == accept_tag) {
            if (cqe.res >= 0) {
                const int on = 1;
                setsockopt(cqe.res, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                if (size_t(cqe.res) >= tail_.size()) tail_.resize(size_t(cqe.res) * 2);
                tail_[size_t(cqe.res)] = 0;
                arm_recv(cqe.res);
            }
            if (!(cqe.flags & IORING_CQE_F_MORE)) arm_accept();
            return;
        }
        const int fd = int(tag & 0xffffffff);
        if (tag >> 32) return;  // a failed send: the receive sees the close
        if (cqe.res == -ENOBUFS) {
            arm_recv(fd);
            return;
        }
        if (cqe.res <= 0) {
            if (!(cqe.flags & IORING_CQE_F_MORE)) close(fd);
            return;
        }
        const uint16_t id = uint16_t(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        answer(fd, buffers_ + size_t(id) * buffer_size, size_t(cqe.res));
        give_back(id);
        if (!(cqe.flags & IORING_CQE_F_MORE)) arm_recv(fd);
    }

    // Counts the request ends in `data`, carrying how much of "\r\n\r\n" the last read ended on.
    void answer(int fd, const char* data, size_t length) {
        static constexpr char end[] = "\r\n\r\n";
        uint8_t& matched = tail_[size_t(fd)];
        for (size_t i = 0; i < length; ++i) {
            if (data[i] == end[matched]) {
                if (++matched == 4) {
                    send_response(fd);
                    matched = 0;
                }
            } else {
                matched = data[i] == '\r' ? 1 : 0;
            }
        }
    }

    io_uring ring_{};
    int listener_;
    std::string response_;
    char* buffers_ = nullptr;
    io_uring_buf_ring* buffer_ring_ = nullptr;
    std::vector<uint8_t> tail_ = std::vector<uint8_t>(1024);  // by fd: bytes of "\r\n\r\n" matched
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PORT [BODY_BYTES]\n", argv[0]);
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const size_t body_bytes = argc > 2 ? size_t(std::atol(argv[2])) : 1024;
    const std::string response =
        "HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: "
        "application/octet-stream\r\nContent-Length: " +
        std::to_string(body_bytes) + "\r\n\r\n" + std::string(body_bytes, 'x');
    responder(listen_on(port), response).run();
}

#include "messaging/ingest_server.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/sha256.hpp"
#include "ingest/decode.hpp"
#include "messaging/protocol.hpp"
#include "messaging/router.hpp"
#include "storage/database.hpp"
#include "storage/manifest_store.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace portscreen::messaging {
namespace {

constexpr int kPollMs = 100;
constexpr int kBatchesPerCheckpoint = 8;

/// A decoded message on its way from the receiving thread to the writer.
struct Job {
    zmq::message_t routing_id;
    std::string message_id;
    std::string content_type;
    zmq::message_t payload;
    std::string content_sha256;
    std::string source;
    std::string received_at;
    ingest::Decoded decoded;
    double decode_ms = 0;
};

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string format_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", ms);
    return text;
}

std::string summary(const Problems& problems) {
    for (const auto& problem : problems) {
        if (problem.severity == Severity::error) {
            std::string text = problem.message;
            const std::string where = problem.where();
            if (!where.empty())
                text += " at " + where;
            if (problems.size() > 1)
                text += " (and " + std::to_string(problems.size() - 1) + " more)";
            return text;
        }
    }
    return "rejected";
}

} // namespace

/// The two threads and what they share. The receiving thread owns the ROUTER socket and the
/// reply end of an inproc PAIR; the writer owns the database and the other PAIR end, so every
/// socket and connection is used by exactly one thread.
class IngestServer::Pipeline {
public:
    Pipeline(zmq::context_t& context, const IngestOptions& options,
             const core::ReferenceData& reference, storage::Database database,
             const StoredCallback& on_stored)
        : context_(context), options_(options), reference_(reference),
          database_(std::move(database)), on_stored_(on_stored),
          router_(context, zmq::socket_type::router), replies_(context, zmq::socket_type::pair) {}

    std::string bind() {
        // The hard cap drops a peer that sends far beyond the limit before it costs memory;
        // frames between the limit and the cap get a readable NACK.
        const auto bound =
            bind_router(router_, options_.endpoint,
                        static_cast<std::int64_t>(options_.max_message_bytes) * 2 + 4096, "ingest");
        replies_endpoint_ =
            "inproc://ingest-replies-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
        replies_.bind(replies_endpoint_);
        return bound;
    }

    void start() {
        writer_ = std::thread([this] { run_writer(); });
        receiver_ = std::thread([this] { run_receiver(); });
    }

    void stop() noexcept {
        stopping_ = true;
        queue_changed_.notify_all();
        if (receiver_.joinable())
            receiver_.join();
        if (writer_.joinable())
            writer_.join();
    }

private:
    void run_receiver() {
        while (true) {
            const bool room = !stopping_ && queued() < options_.max_queued;
            zmq::pollitem_t items[] = {
                {replies_.handle(), 0, ZMQ_POLLIN, 0},
                {router_.handle(), 0, static_cast<short>(room ? ZMQ_POLLIN : 0), 0},
            };
            try {
                zmq::poll(items, 2, std::chrono::milliseconds(kPollMs));
                if (items[0].revents & ZMQ_POLLIN)
                    forward_reply();
                if (items[1].revents & ZMQ_POLLIN)
                    receive_request();
            } catch (const zmq::error_t& e) {
                log::error("", std::string("ingest socket: ") + e.what());
            } catch (const std::exception& e) {
                // A fault while handling one request must not take the node down.
                log::error("", std::string("request dropped after an internal error: ") + e.what());
            }
            if (stopping_ && writer_done_ && !forward_reply_now())
                return;
        }
    }

    /// Sends every reply the writer has queued; false when there was none.
    bool forward_reply_now() {
        bool any = false;
        while (forward_reply(zmq::recv_flags::dontwait))
            any = true;
        return any;
    }

    bool forward_reply(zmq::recv_flags flags = zmq::recv_flags::none) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(replies_, std::back_inserter(frames), flags))
            return false;
        send_to_client(frames);
        return true;
    }

    void send_to_client(std::vector<zmq::message_t>& frames) {
        try {
            zmq::send_multipart(router_, frames, zmq::send_flags::dontwait);
        } catch (const zmq::error_t& e) {
            // The data is committed; a client that comes back and resends gets the same ACK.
            log::warn(frames.size() > 1 ? frames[1].to_string() : "",
                      std::string("reply not delivered, client gone: ") + e.what());
        }
    }

    void reply(zmq::message_t routing_id, std::string_view message_id, std::string_view status,
               const std::string& body) {
        std::vector<zmq::message_t> frames;
        frames.push_back(std::move(routing_id));
        frames.emplace_back(message_id);
        frames.emplace_back(status);
        frames.emplace_back(body);
        send_to_client(frames);
    }

    void receive_request() {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(router_, std::back_inserter(frames), zmq::recv_flags::dontwait))
            return;
        const std::string message_id = frames.size() > 1 ? frames[1].to_string() : "";
        auto nack = [&](const Problems& problems) {
            log::warn(message_id, "NACK: " + summary(problems));
            reply(std::move(frames[0]), message_id, kNack, nack_body(problems));
        };
        if (frames.size() != 4) {
            nack(frame_problem("frames", "expected 3 frames [message-id, content-type, payload], "
                                         "received " +
                                             std::to_string(frames.size() - 1)));
            return;
        }
        if (message_id.empty() || message_id.size() > 256) {
            nack(frame_problem("message-id", "message-id must be 1 to 256 bytes, received " +
                                                 std::to_string(message_id.size())));
            return;
        }
        const std::string content_type = frames[2].to_string();
        const auto type = ingest::parse_content_type(content_type);
        if (!type) {
            nack(frame_problem("content-type", "unknown content-type '" +
                                                   content_type.substr(0, 100) +
                                                   "'; expected application/json or "
                                                   "application/edifact"));
            return;
        }
        const std::size_t size = frames[3].size();
        if (size > options_.max_message_bytes) {
            nack(frame_problem("too-large", "payload of " + std::to_string(size) +
                                                " bytes is over the limit of " +
                                                std::to_string(options_.max_message_bytes)));
            return;
        }
        const std::string_view payload(static_cast<const char*>(frames[3].data()), size);
        const auto decode_start = Clock::now();
        auto decoded = ingest::decode(*type, payload, reference_);
        const double decode_ms = milliseconds_since(decode_start);
        if (!decoded) {
            nack(decoded.problems());
            return;
        }
        Job job;
        job.received_at = utc_now_iso8601();
        job.source = peer_address(frames[3]);
        job.routing_id = std::move(frames[0]);
        job.message_id = message_id;
        job.content_type = ingest::to_string(*type);
        // Hashed here rather than by the writer, which is the busier of the two threads.
        job.content_sha256 = sha256_hex(payload);
        job.payload = std::move(frames[3]);
        job.decoded = std::move(*decoded);
        job.decode_ms = decode_ms;
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(job));
        }
        queue_changed_.notify_one();
    }

    std::size_t queued() {
        std::lock_guard lock(mutex_);
        return queue_.size();
    }

    void run_writer() {
        zmq::socket_t replies(context_, zmq::socket_type::pair);
        replies.set(zmq::sockopt::linger, 0);
        replies.connect(replies_endpoint_);
        storage::ManifestStore store(database_);
        int batches_since_checkpoint = 0;
        while (true) {
            std::vector<Job> batch;
            {
                std::unique_lock lock(mutex_);
                queue_changed_.wait_for(lock, std::chrono::milliseconds(kPollMs),
                                        [this] { return !queue_.empty() || stopping_; });
                if (queue_.empty() && stopping_)
                    break;
                while (!queue_.empty() && batch.size() < options_.max_batch) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            if (batch.empty())
                continue;
            write_batch(store, replies, batch);
            // Checkpoints run between batches, after the replies are out, so that no
            // acknowledgement waits for one; a steady stream still gets one every few batches.
            if (queued() == 0 || ++batches_since_checkpoint >= kBatchesPerCheckpoint) {
                checkpoint();
                batches_since_checkpoint = 0;
            }
        }
        checkpoint();
        writer_done_ = true;
    }

    void checkpoint() noexcept {
        try {
            database_.checkpoint();
        } catch (const std::exception& e) {
            log::warn("", std::string("checkpoint failed, will retry: ") + e.what());
        }
    }

    void write_batch(storage::ManifestStore& store, zmq::socket_t& replies,
                     std::vector<Job>& batch) {
        std::vector<storage::IncomingMessage> messages;
        messages.reserve(batch.size());
        for (auto& job : batch) {
            storage::IncomingMessage message;
            message.message_id = job.message_id;
            message.content_type = job.content_type;
            message.payload =
                std::string_view(static_cast<const char*>(job.payload.data()), job.payload.size());
            message.content_sha256 = std::move(job.content_sha256);
            message.source = job.source;
            message.received_at = job.received_at;
            message.interchange_key = job.decoded.interchange_key;
            message.manifests = std::move(job.decoded.manifests);
            messages.push_back(std::move(message));
        }
        std::vector<storage::StoreResult> results;
        std::vector<std::int64_t> calls;
        const auto store_start = Clock::now();
        try {
            results = store.store_batch(
                messages, [&](const storage::IncomingMessage& message,
                              const std::vector<storage::StoredManifest>& stored) {
                    for (const auto& manifest : stored)
                        calls.push_back(manifest.vessel_call_id);
                    const auto idx = static_cast<std::size_t>(&message - messages.data());
                    assert(idx < batch.size() && "the store passes the messages it was given");
                    return ack_body(message, stored, batch[idx].decoded.warnings);
                });
        } catch (const std::exception& e) {
            // Nothing of the batch was committed: every sender is told so and may resend.
            log::error("", std::string("storage failure, batch rolled back: ") + e.what());
            const auto problems = frame_problem(
                "storage", std::string("the node could not store the message, nothing was "
                                       "stored; send it again later: ") +
                               e.what());
            for (auto& job : batch)
                send_reply(replies, job, kNack, nack_body(problems));
            return;
        }
        const std::string timing = " (stored in " + format_ms(milliseconds_since(store_start)) +
                                   " with " + std::to_string(batch.size() - 1) +
                                   " other messages, decoded in ";
        for (std::size_t idx = 0; idx < batch.size(); ++idx) {
            auto& result = results[idx];
            switch (result.status) {
            case storage::StoreStatus::stored:
                log::info(batch[idx].message_id, "stored " + describe(messages[idx]) + timing +
                                                     format_ms(batch[idx].decode_ms) + ")");
                send_reply(replies, batch[idx], kAck, result.reply_body);
                break;
            case storage::StoreStatus::duplicate:
                log::info(batch[idx].message_id, "duplicate, answered with the stored ACK");
                send_reply(replies, batch[idx], kAck, result.reply_body);
                break;
            case storage::StoreStatus::rejected:
                log::warn(batch[idx].message_id, "NACK: " + summary(result.problems));
                send_reply(replies, batch[idx], kNack, nack_body(result.problems));
                break;
            }
        }
        // A call named by a message rolled back alone is harmless: scoring finds nothing new.
        if (on_stored_ && !calls.empty())
            on_stored_(calls);
    }

    static std::string describe(const storage::IncomingMessage& message) {
        std::size_t containers = 0;
        std::size_t consignments = 0;
        for (const auto& manifest : message.manifests) {
            containers += manifest.containers.size();
            consignments += manifest.consignments.size();
        }
        return std::to_string(consignments) + " consignments, " + std::to_string(containers) +
               " containers (" + message.content_type + ", " +
               std::to_string(message.payload.size()) + " bytes)";
    }

    static void send_reply(zmq::socket_t& replies, Job& job, std::string_view status,
                           const std::string& body) {
        std::vector<zmq::message_t> frames;
        frames.push_back(std::move(job.routing_id));
        frames.emplace_back(std::string_view(job.message_id));
        frames.emplace_back(status);
        frames.emplace_back(std::string_view(body));
        zmq::send_multipart(replies, frames);
    }

    zmq::context_t& context_;
    const IngestOptions& options_;
    const core::ReferenceData& reference_;
    storage::Database database_;
    const StoredCallback& on_stored_;
    zmq::socket_t router_;
    zmq::socket_t replies_;
    std::string replies_endpoint_;

    std::mutex mutex_;
    std::condition_variable queue_changed_;
    std::deque<Job> queue_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> writer_done_{false};
    std::thread receiver_;
    std::thread writer_;
};

IngestServer::IngestServer(zmq::context_t& context, IngestOptions options,
                           std::filesystem::path database_path, core::ReferenceData reference)
    : context_(context), options_(std::move(options)), database_path_(std::move(database_path)),
      reference_(std::move(reference)) {}

IngestServer::~IngestServer() {
    stop();
}

void IngestServer::start() {
    storage::OpenOptions open_options;
    open_options.wal_autocheckpoint_pages = 0; // the writer checkpoints between batches
    auto database = storage::Database::open(database_path_, storage::Access::writer, open_options);
    pipeline_ =
        std::make_unique<Pipeline>(context_, options_, reference_, std::move(database), on_stored_);
    bound_endpoint_ = pipeline_->bind();
    pipeline_->start();
    log::info("", "ingest listening on " + bound_endpoint_);
}

void IngestServer::stop() noexcept {
    if (!pipeline_)
        return;
    pipeline_->stop();
    pipeline_.reset();
}

} // namespace portscreen::messaging

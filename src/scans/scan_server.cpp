#include "scans/scan_server.hpp"

#include "analysis.hpp"
#include "common/clock.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "common/sha256.hpp"
#include "formats.hpp"
#include "image_store.hpp"
#include "messaging/protocol.hpp"
#include "messaging/router.hpp"
#include "scans/processing.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_store.hpp"
#include "storage/database.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

namespace portscreen::scans {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPollMs = 100;
constexpr auto kStopGrace = std::chrono::seconds(60);

std::string format_ms(Clock::time_point since) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f ms",
                  std::chrono::duration<double, std::milli>(Clock::now() - since).count());
    return text;
}

/// One scan between its arrival and its acknowledgement.
struct ScanJob {
    zmq::message_t routing_id;
    std::string header_json;
    ScanHeader header;
    std::vector<zmq::message_t> frames; ///< the image frames, as received
    std::vector<scanner_io::Image16> planes;
    std::vector<std::string> sha256;
    std::vector<char> written; ///< the file was written for this scan (not already stored)
    Problems problems;         ///< from decoding, guarded by `mutex`
    std::mutex mutex;
    std::atomic<int> remaining{0};
    std::string source;
    std::string received_at;
    Clock::time_point received;
};

/// One acknowledged scan being analysed and rendered.
struct AnalysisJob {
    std::int64_t scan_row = 0;
    std::string scan_id;
    std::vector<std::optional<std::int64_t>> containers; ///< linked ones, or one nothing
    std::vector<std::int64_t> vessel_calls;
    scanner_io::Declaration declaration;
    std::string render_folder; ///< empty: nothing to render
    scanner_io::DualEnergyScan scan;
    scanner_io::ScanAnalysis analysis;
    std::string error;
    std::mutex mutex;
    std::atomic<int> remaining{0};
    Clock::time_point acked;
};

struct StoreScan {
    std::shared_ptr<ScanJob> job;
};
struct StoreAnalysis {
    std::shared_ptr<AnalysisJob> job;
};
struct Relink {};
struct ResumeAnalyses {};
using WriterItem = std::variant<StoreScan, StoreAnalysis, Relink, ResumeAnalyses>;

std::string ack_body(const ScanRecord& record, std::string_view status) {
    JsonWriter out;
    out.open_object();
    out.member("scan_id", record.scan_id);
    out.member("status", status);
    out.member("received_at", record.received_at);
    out.key("images");
    out.open_array();
    for (const auto& image : record.images) {
        out.open_object();
        out.member("channel", channel_name(image.channel));
        out.member("format", scanner_io::format_name(image.format));
        out.member("width", std::int64_t{image.width});
        out.member("height", std::int64_t{image.height});
        out.member("sha256", image.sha256);
        out.member("bytes", image.bytes);
        out.close_object();
    }
    out.close_array();
    out.key("containers");
    out.open_array();
    for (const auto& link : record.links) {
        out.open_object();
        out.member("number_read", link.number_read);
        out.member("linked", link.container_id.has_value());
        if (link.container_id)
            out.member("container_id", *link.container_id);
        else
            out.member("problem", link.problem);
        out.close_object();
    }
    out.close_array();
    out.close_object();
    return out.take();
}

Problem image_problem(std::size_t index, std::string code, std::string message) {
    Problem problem;
    problem.code = std::move(code);
    problem.path = "/images/" + std::to_string(index);
    problem.message = std::move(message);
    return problem;
}

} // namespace

/// The threads and what they share. The receiver owns the ROUTER and one end of an inproc PAIR;
/// the writer owns the database, the image store and the other PAIR end, so each socket and the
/// connection belong to one thread. Workers hold no sockets: they decode, analyse and render.
class ScanServer::Pipeline {
public:
    Pipeline(zmq::context_t& context, const ScanServerOptions& options,
             const std::filesystem::path& data_dir, storage::Database database,
             const std::function<void(const AnalysedScan&)>& on_analysed)
        : context_(context), options_(options), folders_(ScanFolders::in(data_dir)),
          images_(folders_.images), database_(std::move(database)), on_analysed_(on_analysed),
          router_(context, zmq::socket_type::router), replies_(context, zmq::socket_type::pair) {}

    std::string bind() {
        // Frames far beyond the limit drop the peer before they cost memory; those between the
        // limit and this cap get a readable NACK.
        const auto bound = messaging::bind_router(
            router_, options_.endpoint,
            static_cast<std::int64_t>(options_.max_image_bytes) * 2 + (1 << 20), "scan");
        replies_endpoint_ =
            "inproc://scan-replies-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
        replies_.bind(replies_endpoint_);
        return bound;
    }

    void start() {
        // Scans acknowledged but not analysed when the node last stopped (killed, or stopped
        // past the grace period) are analysed again, before anything new arrives, and the
        // temporary image files of a node killed while writing are removed.
        push_writer(ResumeAnalyses{});
        writer_ = std::thread([this] { run_writer(); });
        for (int idx = 0; idx < std::max(1, options_.workers); ++idx)
            workers_.emplace_back([this] { run_worker(); });
        receiver_ = std::thread([this] { run_receiver(); });
    }

    void stop() noexcept {
        stopping_ = true;
        if (receiver_.joinable())
            receiver_.join();
        {
            std::lock_guard lock(work_mutex_);
            workers_stopping_ = true;
        }
        work_changed_.notify_all();
        for (auto& worker : workers_)
            worker.join();
        {
            std::lock_guard lock(writer_mutex_);
            writer_stopping_ = true;
        }
        writer_changed_.notify_all();
        if (writer_.joinable())
            writer_.join();
    }

    void relink() { push_writer(Relink{}); }

private:
    // ---- receiver -------------------------------------------------------------------------

    void run_receiver() {
        const auto stop_deadline = [this] { return stop_requested_at_ + kStopGrace; };
        while (true) {
            if (stopping_ && stop_requested_at_ == Clock::time_point{})
                stop_requested_at_ = Clock::now();
            const bool room = !stopping_ && in_flight_ < options_.max_in_flight;
            zmq::pollitem_t items[] = {
                {replies_.handle(), 0, ZMQ_POLLIN, 0},
                {router_.handle(), 0, static_cast<short>(room ? ZMQ_POLLIN : 0), 0},
            };
            try {
                zmq::poll(items, 2, std::chrono::milliseconds(kPollMs));
                if (items[0].revents & ZMQ_POLLIN)
                    forward_replies();
                if (items[1].revents & ZMQ_POLLIN)
                    receive();
            } catch (const zmq::error_t& e) {
                log::error("", std::string("scan socket: ") + e.what());
            } catch (const std::exception& e) {
                log::error("", std::string("scan dropped after an internal error: ") + e.what());
            }
            // What was acknowledged is analysed before the node stops, within a grace period.
            if (stopping_ && (in_flight_ == 0 || Clock::now() > stop_deadline())) {
                forward_replies();
                if (in_flight_ != 0)
                    log::warn("", std::to_string(in_flight_) +
                                      " scans still in work at stop; their analysis is skipped");
                return;
            }
        }
    }

    void forward_replies() {
        std::vector<zmq::message_t> frames;
        while (
            zmq::recv_multipart(replies_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
            send_to_client(frames);
            frames.clear();
        }
    }

    void send_to_client(std::vector<zmq::message_t>& frames) {
        try {
            zmq::send_multipart(router_, frames, zmq::send_flags::dontwait);
        } catch (const zmq::error_t& e) {
            // Whatever was committed stays; a client that resends gets the same answer.
            log::warn(frames.size() > 1 ? frames[1].to_string() : "",
                      std::string("reply not delivered, client gone: ") + e.what());
        }
    }

    void nack_now(zmq::message_t& routing_id, const std::string& scan_id,
                  const Problems& problems) {
        log::warn(scan_id, "scan NACK: " + problems.front().message +
                               (problems.size() > 1
                                    ? " (and " + std::to_string(problems.size() - 1) + " more)"
                                    : ""));
        std::vector<zmq::message_t> frames;
        frames.push_back(std::move(routing_id));
        frames.emplace_back(std::string_view(scan_id));
        frames.emplace_back(messaging::kNack);
        frames.emplace_back(messaging::nack_body(problems));
        send_to_client(frames);
    }

    void receive() {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(router_, std::back_inserter(frames), zmq::recv_flags::dontwait))
            return;
        const auto received = Clock::now();
        if (frames.size() < 2) {
            std::string none;
            nack_now(frames[0], none,
                     messaging::frame_problem("frames", "expected [header, image...], received "
                                                        "no frames"));
            return;
        }
        auto job = std::make_shared<ScanJob>();
        job->received = received;
        job->header_json = frames[1].to_string();
        auto header = parse_scan_header(job->header_json);
        // The id for the reply, even from a header that fails its checks.
        std::string scan_id = header ? header->scan_id : fallback_scan_id(job->header_json);
        if (!header) {
            nack_now(frames[0], scan_id, header.problems());
            return;
        }
        job->header = std::move(*header);
        const std::size_t images = frames.size() - 2;
        if (images != job->header.images.size()) {
            nack_now(frames[0], scan_id,
                     messaging::frame_problem(
                         "frames", "header lists " + std::to_string(job->header.images.size()) +
                                       " images, " + std::to_string(images) +
                                       " image frames received"));
            return;
        }
        Problems problems;
        for (std::size_t idx = 0; idx < images; ++idx) {
            const auto size = frames[idx + 2].size();
            const auto& description = job->header.images[idx];
            if (size > options_.max_image_bytes)
                problems.push_back(image_problem(idx, "too-large",
                                                 "image frame of " + std::to_string(size) +
                                                     " bytes is over the limit of " +
                                                     std::to_string(options_.max_image_bytes)));
            else if (static_cast<std::int64_t>(description.width) * description.height >
                     options_.max_pixels)
                problems.push_back(image_problem(idx, "too-large",
                                                 "declared " + std::to_string(description.width) +
                                                     " x " + std::to_string(description.height) +
                                                     " pixels, more than the limit of " +
                                                     std::to_string(options_.max_pixels)));
        }
        if (!problems.empty()) {
            nack_now(frames[0], scan_id, problems);
            return;
        }
        job->routing_id = std::move(frames[0]);
        job->source = messaging::peer_address(frames[1]);
        job->received_at = utc_now_iso8601();
        for (std::size_t idx = 0; idx < images; ++idx)
            job->frames.push_back(std::move(frames[idx + 2]));
        job->planes.resize(images);
        job->sha256.resize(images);
        job->written.resize(images, 0);
        job->remaining = static_cast<int>(images);
        ++in_flight_;
        for (std::size_t idx = 0; idx < images; ++idx)
            push_work(true, [this, job, idx] { decode(job, idx); });
    }

    static std::string fallback_scan_id(const std::string& header_json) {
        // A header too broken to parse still gets its NACK matched when the id can be found.
        const auto key = header_json.find("\"scan_id\"");
        if (key == std::string::npos)
            return {};
        const auto open = header_json.find('"', header_json.find(':', key) + 1);
        const auto close = open == std::string::npos ? open : header_json.find('"', open + 1);
        if (close == std::string::npos || close - open > 129)
            return {};
        return header_json.substr(open + 1, close - open - 1);
    }

    // ---- workers ----------------------------------------------------------------------------

    void push_work(bool urgent, std::function<void()> task) {
        {
            std::lock_guard lock(work_mutex_);
            (urgent ? urgent_ : background_).push_back(std::move(task));
        }
        work_changed_.notify_one();
    }

    void run_worker() {
        while (true) {
            std::function<void()> task;
            {
                std::unique_lock lock(work_mutex_);
                work_changed_.wait(lock, [this] {
                    return !urgent_.empty() || !background_.empty() || workers_stopping_;
                });
                // Decoding goes first: it stands between a scanner and its acknowledgement.
                auto& queue = !urgent_.empty() ? urgent_ : background_;
                if (queue.empty())
                    return;
                task = std::move(queue.front());
                queue.pop_front();
            }
            try {
                task();
            } catch (const std::exception& e) {
                log::error("", std::string("scan worker: ") + e.what());
            }
        }
    }

    void decode(const std::shared_ptr<ScanJob>& job, std::size_t idx) {
        const auto& frame = job->frames[idx];
        const std::string_view bytes(static_cast<const char*>(frame.data()), frame.size());
        const auto& description = job->header.images[idx];
        bool decoded = false;
        try {
            scanner_io::DecodeLimits limits;
            limits.max_pixels = options_.max_pixels;
            job->planes[idx] = scanner_io::decode_image(
                bytes, description.format, {description.width, description.height}, limits);
            job->sha256[idx] = sha256_hex(bytes);
            decoded = true;
            // Written and synced here, the two planes of a scan in parallel; the writer commits
            // the rows that name the files only after both are safe.
            job->written[idx] = images_.put(bytes, job->sha256[idx]) ? 1 : 0;
        } catch (const std::exception& e) {
            const std::string channel(channel_name(description.channel));
            std::lock_guard lock(job->mutex);
            // A file that cannot be written (a full disk) is no fault of the image: `storage`
            // tells the scanner to send it again later.
            job->problems.push_back(
                decoded ? image_problem(idx, "storage",
                                        "the node could not store the " + channel +
                                            " image, nothing was stored; send the scan again "
                                            "later: " +
                                            e.what())
                        : image_problem(idx, "image", channel + " image: " + e.what()));
        }
        if (--job->remaining == 0)
            push_writer(StoreScan{job});
    }

    void analyse(const std::shared_ptr<AnalysisJob>& job) {
        try {
            job->analysis = scanner_io::analyse_scan(job->scan, job->declaration);
        } catch (const std::exception& e) {
            std::lock_guard lock(job->mutex);
            job->error = std::string("analysis failed: ") + e.what();
        }
        if (--job->remaining == 0)
            push_writer(StoreAnalysis{job});
    }

    void render(const std::shared_ptr<AnalysisJob>& job) {
        try {
            render_scan(job->scan, job->render_folder);
        } catch (const std::exception& e) {
            // The viewer lacks a picture; the analysis still stands.
            log::error(job->scan_id, std::string("rendering failed: ") + e.what());
        }
        if (--job->remaining == 0)
            push_writer(StoreAnalysis{job});
    }

    // ---- writer -------------------------------------------------------------------------

    void push_writer(WriterItem item) {
        {
            std::lock_guard lock(writer_mutex_);
            writer_queue_.push_back(std::move(item));
        }
        writer_changed_.notify_one();
    }

    void run_writer() {
        zmq::socket_t replies(context_, zmq::socket_type::pair);
        replies.set(zmq::sockopt::linger, 0);
        replies.connect(replies_endpoint_);
        ScanStore store(database_);
        while (true) {
            WriterItem item;
            {
                std::unique_lock lock(writer_mutex_);
                writer_changed_.wait(lock,
                                     [this] { return !writer_queue_.empty() || writer_stopping_; });
                if (writer_queue_.empty())
                    return;
                item = std::move(writer_queue_.front());
                writer_queue_.pop_front();
            }
            try {
                if (auto* scan = std::get_if<StoreScan>(&item))
                    store_scan(store, replies, std::move(scan->job));
                else if (auto* analysis = std::get_if<StoreAnalysis>(&item))
                    store_analysis(store, analysis->job);
                else if (std::holds_alternative<Relink>(item))
                    relink_unmatched(store);
                else
                    resume_analyses(store);
            } catch (const std::exception& e) {
                log::error("", std::string("scan writer: ") + e.what());
            }
        }
    }

    void reply(zmq::socket_t& replies, ScanJob& job, std::string_view status,
               const std::string& body) {
        std::vector<zmq::message_t> frames;
        frames.push_back(std::move(job.routing_id));
        frames.emplace_back(std::string_view(job.header.scan_id));
        frames.emplace_back(status);
        frames.emplace_back(std::string_view(body));
        zmq::send_multipart(replies, frames);
    }

    void finish(std::string_view id, std::string_view what) {
        --in_flight_;
        log::debug(id, what);
    }

    void store_scan(ScanStore& store, zmq::socket_t& replies, std::shared_ptr<ScanJob> job) {
        const std::string& id = job->header.scan_id;
        if (!job->problems.empty()) {
            log::warn(id, "scan NACK: " + job->problems.front().message);
            remove_unreferenced(*job);
            reply(replies, *job, messaging::kNack, messaging::nack_body(job->problems));
            finish(id, "refused");
            return;
        }
        std::vector<StoredImage> images;
        for (std::size_t idx = 0; idx < job->frames.size(); ++idx) {
            const auto& description = job->header.images[idx];
            images.push_back({description.channel, description.format, description.width,
                              description.height, job->sha256[idx],
                              static_cast<std::int64_t>(job->frames[idx].size())});
        }
        std::optional<ScanRecord> record;
        try {
            if (auto existing = store.find(id)) {
                answer_resend(replies, *job, *existing, images);
                return;
            }
            // The workers wrote the files; one removed since for a refused scan with the same
            // image is written again, so an acknowledged scan never names a missing file.
            for (std::size_t idx = 0; idx < job->frames.size(); ++idx) {
                if (!images_.contains(job->sha256[idx]))
                    images_.put(std::string_view(static_cast<const char*>(job->frames[idx].data()),
                                                 job->frames[idx].size()),
                                job->sha256[idx]);
            }
            storage::Transaction transaction(database_);
            record =
                store.insert(job->header, job->header_json, images, job->source, job->received_at);
            transaction.commit();
        } catch (const std::exception& e) {
            log::error(id, std::string("storage failure, scan not stored: ") + e.what());
            remove_unreferenced(*job);
            reply(replies, *job, messaging::kNack,
                  messaging::nack_body(messaging::frame_problem(
                      "storage", std::string("the node could not store the scan, nothing was "
                                             "stored; send it again later: ") +
                                     e.what())));
            finish(id, "storage failure");
            return;
        }
        reply(replies, *job, messaging::kAck, ack_body(*record, "stored"));
        std::size_t linked = 0;
        for (const auto& link : record->links)
            linked += link.container_id ? 1 : 0;
        log::info(id, "scan stored: " + std::to_string(images.size()) + " images, " +
                          std::to_string(linked) + " of " + std::to_string(record->links.size()) +
                          " containers linked (acknowledged " + format_ms(job->received) +
                          " after it arrived)");
        auto analysis = std::make_shared<AnalysisJob>();
        prepare_analysis(store, *record, *analysis);
        analysis->scan = assemble_scan(job->header, std::move(job->planes));
        analysis->acked = Clock::now();
        job.reset();
        start_analysis(std::move(analysis));
    }

    /// Removes the files written for a refused scan, unless a stored scan names them: a NACK
    /// leaves nothing behind. Runs on the writer, so no commit can race with it.
    void remove_unreferenced(const ScanJob& job) noexcept {
        try {
            storage::Statement used(database_, "SELECT 1 FROM scan_images WHERE sha256 = ?1");
            for (std::size_t idx = 0; idx < job.written.size(); ++idx) {
                if (!job.written[idx])
                    continue;
                used.bind(1, job.sha256[idx]);
                if (!used.query_int64())
                    images_.remove(job.sha256[idx]);
            }
        } catch (const std::exception& e) {
            log::warn(job.header.scan_id, std::string("files of a refused scan kept: ") + e.what());
        }
    }

    void answer_resend(zmq::socket_t& replies, ScanJob& job, const ScanRecord& existing,
                       const std::vector<StoredImage>& images) {
        bool same = existing.images.size() == images.size();
        for (const auto& image : images) {
            same = same && std::any_of(existing.images.begin(), existing.images.end(),
                                       [&](const StoredImage& stored) {
                                           return stored.channel == image.channel &&
                                                  stored.sha256 == image.sha256;
                                       });
        }
        if (same) {
            log::info(existing.scan_id, "scan sent again, answered with the stored ACK");
            reply(replies, job, messaging::kAck, ack_body(existing, "duplicate"));
        } else {
            const auto problems = messaging::frame_problem(
                "conflict", "scan_id '" + existing.scan_id +
                                "' is already stored with other images; a new scan needs a new id");
            log::warn(existing.scan_id, "scan NACK: " + problems.front().message);
            remove_unreferenced(job);
            reply(replies, job, messaging::kNack, messaging::nack_body(problems));
        }
        finish(existing.scan_id, "resend answered");
    }

    void prepare_analysis(ScanStore& store, const ScanRecord& record, AnalysisJob& job) {
        job.scan_row = record.row;
        job.scan_id = record.scan_id;
        for (const auto& link : record.links) {
            if (!link.container_id)
                continue;
            job.containers.push_back(link.container_id);
            if (link.vessel_call_id)
                job.vessel_calls.push_back(*link.vessel_call_id);
        }
        if (job.containers.empty())
            job.containers.push_back(std::nullopt);
        job.declaration = declaration_for(store, record);
        const auto rendering = folders_.rendering_of(record);
        if (options_.render && rendering)
            job.render_folder = rendering->string();
    }

    void start_analysis(std::shared_ptr<AnalysisJob> job) {
        job->remaining = job->render_folder.empty() ? 1 : 2;
        if (!job->render_folder.empty())
            push_work(false, [this, job] { render(job); });
        push_work(false, [this, job] { analyse(job); });
    }

    void store_analysis(ScanStore& store, const std::shared_ptr<AnalysisJob>& job) {
        const bool counted = job->acked != Clock::time_point{};
        if (!job->error.empty()) {
            log::error(job->scan_id, job->error);
        } else {
            const std::string now = utc_now_iso8601();
            storage::Transaction transaction(database_);
            for (const auto& container : job->containers)
                store.store_analysis(job->scan_row, container, job->analysis, now);
            transaction.commit();
            log::info(
                job->scan_id,
                "scan analysed: load score " + std::to_string(job->analysis.load_score) +
                    ", anomaly score " + std::to_string(job->analysis.anomaly_score) +
                    (job->analysis.declared_empty_but_loaded ? ", declared empty but loaded" : "") +
                    (counted ? " (" + format_ms(job->acked) + " after the ACK)" : ""));
            if (on_analysed_)
                on_analysed_({job->scan_row, job->scan_id, job->vessel_calls});
        }
        if (counted)
            finish(job->scan_id, "analysed");
    }

    void relink_unmatched(ScanStore& store) {
        std::vector<std::int64_t> rows;
        {
            storage::Transaction transaction(database_);
            rows = store.relink_unmatched(utc_now_iso8601());
            transaction.commit();
        }
        for (const auto row : rows) {
            // The pictures do not depend on the link.
            reanalyse(store, row, false,
                      "container linked after its manifest arrived; analysing the scan again");
        }
    }

    void resume_analyses(ScanStore& store) {
        if (const auto removed = images_.remove_abandoned(); removed > 0)
            log::info("", "removed " + std::to_string(removed) +
                              " temporary image files left by a node that stopped while writing");
        std::vector<std::int64_t> rows;
        {
            storage::Statement open(database_, "SELECT s.id FROM scans s WHERE NOT EXISTS "
                                               "(SELECT 1 FROM scan_analyses a "
                                               "WHERE a.scan_row = s.id) ORDER BY s.id");
            while (open.step())
                rows.push_back(open.column_int64(0));
        }
        for (const auto row : rows)
            reanalyse(store, row, true,
                      "acknowledged but not analysed before the node stopped; "
                      "analysing it now");
    }

    /// Analyses a stored scan again from its image files, on a worker.
    void reanalyse(ScanStore& store, std::int64_t row, bool pictures, std::string_view why) {
        auto record = store.find_row(row);
        if (!record)
            return;
        auto header = parse_scan_header(record->header_json);
        if (!header)
            return;
        log::info(record->scan_id, std::string(why));
        auto job = std::make_shared<AnalysisJob>();
        prepare_analysis(store, *record, *job);
        if (!pictures)
            job->render_folder.clear();
        job->remaining = job->render_folder.empty() ? 1 : 2;
        push_work(false, [this, job, record = std::move(*record), header = std::move(*header)] {
            try {
                job->scan = load_scan(folders_, record, header);
            } catch (const std::exception& e) {
                {
                    std::lock_guard lock(job->mutex);
                    job->error = std::string("cannot read the stored images: ") + e.what();
                }
                job->remaining = 0;
                push_writer(StoreAnalysis{job});
                return;
            }
            if (!job->render_folder.empty())
                render(job);
            analyse(job);
        });
    }

    zmq::context_t& context_;
    const ScanServerOptions& options_;
    ScanFolders folders_;
    scanner_io::ImageStore images_;
    storage::Database database_;
    const std::function<void(const AnalysedScan&)>& on_analysed_;
    zmq::socket_t router_;
    zmq::socket_t replies_;
    std::string replies_endpoint_;

    std::atomic<bool> stopping_{false};
    Clock::time_point stop_requested_at_{};
    std::atomic<std::size_t> in_flight_{0};

    std::mutex work_mutex_;
    std::condition_variable work_changed_;
    std::deque<std::function<void()>> urgent_;
    std::deque<std::function<void()>> background_;
    bool workers_stopping_ = false;
    std::vector<std::thread> workers_;

    std::mutex writer_mutex_;
    std::condition_variable writer_changed_;
    std::deque<WriterItem> writer_queue_;
    bool writer_stopping_ = false;

    std::thread receiver_;
    std::thread writer_;
};

ScanServer::ScanServer(zmq::context_t& context, ScanServerOptions options,
                       std::filesystem::path data_dir, std::filesystem::path database_path)
    : context_(context), options_(std::move(options)), data_dir_(std::move(data_dir)),
      database_path_(std::move(database_path)) {}

ScanServer::~ScanServer() {
    stop();
}

void ScanServer::start() {
    auto database = storage::Database::open(database_path_, storage::Access::writer);
    pipeline_ = std::make_unique<Pipeline>(context_, options_, data_dir_, std::move(database),
                                           on_analysed_);
    bound_endpoint_ = pipeline_->bind();
    pipeline_->start();
    log::info("", "scans listening on " + bound_endpoint_);
}

void ScanServer::stop() noexcept {
    if (!pipeline_)
        return;
    pipeline_->stop();
    pipeline_.reset();
}

void ScanServer::manifests_stored() {
    if (pipeline_)
        pipeline_->relink();
}

} // namespace portscreen::scans

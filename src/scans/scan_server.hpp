#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace zmq {
class context_t;
}

namespace portscreen::scans {

struct ScanServerOptions {
    std::string endpoint = "tcp://127.0.0.1:5556";
    std::size_t max_image_bytes = 256u << 20; ///< per image frame; larger ones get a NACK
    std::int64_t max_pixels = 64'000'000;     ///< per image, checked before decoding
    std::size_t max_in_flight = 6;            ///< scans received and not yet analysed
    int workers = 2;                          ///< threads that decode, analyse and render
    bool render = true;                       ///< previews and tile pyramids for the viewer
};

/// What a stored analysis concerned, for whoever follows the node (tests, the benchmark).
struct AnalysedScan {
    std::int64_t scan_row = 0;
    std::string scan_id;
    std::vector<std::int64_t> vessel_call_ids; ///< calls of the containers it was linked to
};

/// The scan ingest endpoint of a port node (docs/protocols.md): a ROUTER socket receiving
/// [header, image...]. Images are decoded and checked on worker threads; a writer thread stores
/// the files (content-addressed, synced) and the metadata in one transaction, then answers ACK;
/// analysis, preview and tiles follow on the workers, and the writer stores the analysis. Bad
/// input is answered NACK with every reason and leaves nothing behind. start() and stop() are
/// called from one thread.
class ScanServer {
public:
    /// Image files go under `data_dir` (images/, derived/), metadata into `database_path`.
    ScanServer(zmq::context_t& context, ScanServerOptions options, std::filesystem::path data_dir,
               std::filesystem::path database_path);
    ~ScanServer();
    ScanServer(const ScanServer&) = delete;
    ScanServer& operator=(const ScanServer&) = delete;

    /// Called on the writer thread after an analysis is committed. Set before start().
    void on_analysed(std::function<void(const AnalysedScan&)> callback) {
        on_analysed_ = std::move(callback);
    }

    /// Opens the database, binds and starts the threads. Throws on failure.
    void start();
    /// Stops receiving, finishes what was acknowledged (analysis included), joins the threads.
    void stop() noexcept;

    /// Asks the writer to try the unmatched container numbers again, after new manifests.
    /// Thread-safe.
    void manifests_stored();

    const std::string& endpoint() const { return bound_endpoint_; }

private:
    class Pipeline;

    zmq::context_t& context_;
    ScanServerOptions options_;
    std::filesystem::path data_dir_;
    std::filesystem::path database_path_;
    std::string bound_endpoint_;
    std::function<void(const AnalysedScan&)> on_analysed_;
    std::unique_ptr<Pipeline> pipeline_;
};

} // namespace portscreen::scans

#include "bench/scan_bench.hpp"

#include "formats.hpp"
#include "scans/scan_header.hpp"
#include "scans/scan_server.hpp"
#include "simulate.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>

namespace portscreen::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

/// Which scans the node has finished, and when.
class Finished {
public:
    void add(const std::string& scan_id) {
        {
            std::lock_guard lock(mutex_);
            at_[scan_id] = Clock::now();
        }
        changed_.notify_all();
    }

    /// When `scan_id` was finished; throws when it is not within a minute.
    Clock::time_point wait(const std::string& scan_id) {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, std::chrono::minutes(1),
                               [&] { return at_.contains(scan_id); }))
            throw std::runtime_error("scan " + scan_id + " was not analysed within a minute");
        return at_[scan_id];
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, Clock::time_point> at_;
};

std::vector<std::string> frames_for(const std::string& scan_id,
                                    const scanner_io::SimulatedScan& simulated,
                                    const std::string& high, const std::string& low) {
    scans::ScanHeader header;
    header.scan_id = scan_id;
    header.scanner_id = "BENCH";
    header.containers = {"MSCU1234565"};
    header.scanned_at = "2026-01-01T08:00:00Z";
    header.view = "side";
    header.energy_high_mev = 6;
    header.energy_low_mev = 4;
    header.air_value = simulated.scan.air;
    header.along_mm = simulated.scan.along_mm;
    header.detector_mm = simulated.scan.detector_mm;
    const int width = simulated.scan.high.width;
    const int height = simulated.scan.high.height;
    header.images = {{scans::Channel::high, scanner_io::ImageFormat::png, width, height},
                     {scans::Channel::low, scanner_io::ImageFormat::png, width, height}};
    return {scans::to_json(header), high, low};
}

void send(zmq::socket_t& socket, const std::vector<std::string>& frames) {
    std::vector<zmq::const_buffer> buffers;
    for (const auto& frame : frames)
        buffers.push_back(zmq::buffer(frame));
    zmq::send_multipart(socket, buffers);
}

std::string receive_status(zmq::socket_t& socket) {
    std::vector<zmq::message_t> reply;
    if (!zmq::recv_multipart(socket, std::back_inserter(reply)) || reply.size() != 3)
        throw std::runtime_error("no reply from the scan endpoint");
    if (reply[1].to_string() != "ACK")
        throw std::runtime_error("scan refused: " + reply[2].to_string());
    return reply[0].to_string();
}

} // namespace

ScanBenchResult run_scan_bench(const ScanBenchOptions& options) {
    ScanBenchResult result;
    scanner_io::ScanScenario scenario;
    scenario.cargo = scanner_io::CargoClass::mixed;
    scenario.cargo_mass_kg = 14'000;
    const auto simulated = scanner_io::simulate_scan(scenario, options.seed);
    const std::string high = scanner_io::encode_png(simulated.scan.high);
    const std::string low = scanner_io::encode_png(simulated.scan.low);
    result.width = simulated.scan.high.width;
    result.height = simulated.scan.high.height;
    result.png_bytes = high.size() + low.size();

    std::vector<double> floor;
    for (int run = 0; run < 5; ++run) {
        const auto start = Clock::now();
        scanner_io::decode_with_opencv_only(high);
        scanner_io::decode_with_opencv_only(low);
        floor.push_back(ms_between(start, Clock::now()));
    }
    result.opencv_floor_ms = median(floor);

    std::filesystem::remove_all(options.work_dir);
    std::filesystem::create_directories(options.work_dir);
    zmq::context_t context;
    scans::ScanServerOptions server_options;
    server_options.endpoint = "tcp://127.0.0.1:*";
    scans::ScanServer server(context, server_options, options.work_dir,
                             options.work_dir / "portscreen.db");
    Finished finished;
    server.on_analysed([&](const scans::AnalysedScan& scan) { finished.add(scan.scan_id); });
    server.start();
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvtimeo, 60'000);
    socket.connect(server.endpoint());

    // One at a time: the latency a scanner sees, and how long until the officer can look.
    std::vector<double> to_ack;
    std::vector<double> ack_to_done;
    std::vector<double> end_to_end;
    for (int idx = 0; idx < options.scans; ++idx) {
        const std::string id = "latency-" + std::to_string(idx);
        const auto frames = frames_for(id, simulated, high, low);
        const auto start = Clock::now();
        send(socket, frames);
        receive_status(socket);
        const auto acked = Clock::now();
        const auto done = finished.wait(id);
        to_ack.push_back(ms_between(start, acked));
        ack_to_done.push_back(ms_between(acked, done));
        end_to_end.push_back(ms_between(start, done));
    }
    result.median_to_ack_ms = median(to_ack);
    result.median_ack_to_done_ms = median(ack_to_done);
    result.median_end_to_end_ms = median(end_to_end);

    // Many at once, a few in flight: the rate one node sustains.
    std::vector<std::vector<std::string>> burst;
    for (int idx = 0; idx < options.sustained; ++idx)
        burst.push_back(frames_for("rate-" + std::to_string(idx), simulated, high, low));
    const auto start = Clock::now();
    constexpr int kWindow = 4;
    int sent = 0;
    int answered = 0;
    while (answered < options.sustained) {
        while (sent < options.sustained && sent - answered < kWindow)
            send(socket, burst[static_cast<std::size_t>(sent++)]);
        receive_status(socket);
        ++answered;
    }
    Clock::time_point last = start;
    for (int idx = 0; idx < options.sustained; ++idx)
        last = std::max(last, finished.wait("rate-" + std::to_string(idx)));
    result.scans_per_s = options.sustained / (ms_between(start, last) / 1000.0);
    server.stop();
    std::filesystem::remove_all(options.work_dir);
    return result;
}

} // namespace portscreen::bench

#include "analysis.hpp"

#include "dense_model.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace portscreen::scanner_io {
namespace {

constexpr const char* kAlgorithmVersion = "scan-analysis/3";

// μ/ρ at the high energy (6 MeV) by material class, from NIST Standard Reference Database 126
// (Hubbell and Seltzer; values in simulate.cpp): organic between water 0.0277 and cellulose
// 0.0264, inorganic between concrete 0.0270 and glass 0.0263, metal iron 0.0306.
constexpr double kMuOrganic = 0.0270;
constexpr double kMuInorganic = 0.0267;
constexpr double kMuMetal = 0.0306;

// Cargo is what attenuates beyond the structure by more than this (about 1 g/cm² of water).
constexpr double kLoadThreshold = 0.03;
// Smallest blob counted as contents (cm²): lashing rings and rivets are smaller.
constexpr double kMinBlobCm2 = 150;
// Evidence (kg of implied contents) at which load_score is 0.5: the geometric middle of the gap
// seen on the tuning sets between truly empty boxes (at most about 7 kg) and the emptiest of the
// declared-empty boxes holding something (about 35 kg, a shallow false floor).
constexpr double kLoadEvidenceKg = 16;
// The metal map is r·H - L with r that of organic goods (water 1.229, cellulose 1.231; see
// simulate.cpp): about zero for organic matter of any density, positive for what has a lower
// ratio.
constexpr double kOrganicReference = 1.23;
// Added to the dense-object model's log-odds. The model scores one candidate among the many
// of a scan; one unit more sets its scores against the wall and floor detectors' where most
// dense objects and most concealments overall are found at 5% false alarms on the model's
// validation seeds (17 and 18).
constexpr double kDenseMarginOffset = 1.0;

/// The scan reduced to the analysis grid: ln(I0/I) at both energies, averaged over blocks of
/// `factor` x `factor` pixels (dropping each block's extremes, so a single bad pixel does not
/// make a dense spot), dead detector rows left out.
struct Grid {
    int width = 0;
    int height = 0;
    int factor = 1;
    double sx = 0; ///< mm per grid pixel along the scan
    double sy = 0; ///< mm per grid pixel down the detector
    cv::Mat high;  ///< CV_32F
    cv::Mat low;   ///< CV_32F, empty for a single-energy scan
};

int working_factor(int width, int height) {
    const double factor = std::min(width / 1500.0, height / 300.0);
    return std::clamp(static_cast<int>(std::lround(factor)), 1, 8);
}

void check_scan(const DualEnergyScan& scan) {
    if (scan.high.empty() || scan.high.width <= 0 || scan.high.height <= 0)
        throw std::invalid_argument("scan has no high-energy image");
    if (scan.high.pixels.size() !=
        static_cast<std::size_t>(scan.high.width) * static_cast<std::size_t>(scan.high.height))
        throw std::invalid_argument(
            "high-energy image holds " + std::to_string(scan.high.pixels.size()) + " pixels, not " +
            std::to_string(scan.high.width) + " x " + std::to_string(scan.high.height));
    if (scan.dual() && (scan.low.width != scan.high.width || scan.low.height != scan.high.height ||
                        scan.low.pixels.size() != scan.high.pixels.size()))
        throw std::invalid_argument("low-energy image is " + std::to_string(scan.low.width) +
                                    " x " + std::to_string(scan.low.height) +
                                    ", high-energy image " + std::to_string(scan.high.width) +
                                    " x " + std::to_string(scan.high.height));
    if (scan.air == 0)
        throw std::invalid_argument("scan air value is 0");
    if (!(scan.along_mm > 0) || !(scan.detector_mm > 0))
        throw std::invalid_argument("scan pixel spacing is not positive");
}

/// A dead detector row reads near zero all along the scan, the air around the container
/// included; nothing real is that dark in every column.
std::vector<char> find_dead_rows(const Image16& image, std::uint16_t air) {
    std::vector<char> dead(static_cast<std::size_t>(image.height), 0);
    const auto limit = static_cast<std::uint16_t>(air / 50);
    for (int y = 0; y < image.height; ++y) {
        const std::uint16_t* row = image.pixels.data() + static_cast<std::size_t>(y) * image.width;
        std::uint16_t brightest = 0;
        for (int x = 0; x < image.width; x += 3)
            brightest = std::max(brightest, row[x]);
        dead[static_cast<std::size_t>(y)] = brightest < limit ? 1 : 0;
    }
    return dead;
}

cv::Mat reduce_plane(const Image16& image, const std::vector<float>& lut,
                     const std::vector<char>& dead, int factor) {
    const int gw = std::max(1, image.width / factor), gh = std::max(1, image.height / factor);
    cv::Mat out(gh, gw, CV_32F, cv::Scalar(0));
    std::vector<float> sum(static_cast<std::size_t>(gw)), lo(sum.size()), hi(sum.size());
    std::vector<char> missing(static_cast<std::size_t>(gh), 0);
    for (int by = 0; by < gh; ++by) {
        std::fill(sum.begin(), sum.end(), 0.0F);
        std::fill(lo.begin(), lo.end(), std::numeric_limits<float>::max());
        std::fill(hi.begin(), hi.end(), std::numeric_limits<float>::lowest());
        int rows = 0;
        for (int r = 0; r < factor; ++r) {
            const int y = by * factor + r;
            if (y >= image.height || dead[static_cast<std::size_t>(y)])
                continue;
            ++rows;
            const std::uint16_t* row =
                image.pixels.data() + static_cast<std::size_t>(y) * image.width;
            for (int bx = 0; bx < gw; ++bx) {
                float s = 0, mn = lo[static_cast<std::size_t>(bx)],
                      mx = hi[static_cast<std::size_t>(bx)];
                for (int k = 0; k < factor; ++k) {
                    const float v = lut[row[bx * factor + k]];
                    s += v;
                    mn = std::min(mn, v);
                    mx = std::max(mx, v);
                }
                sum[static_cast<std::size_t>(bx)] += s;
                lo[static_cast<std::size_t>(bx)] = mn;
                hi[static_cast<std::size_t>(bx)] = mx;
            }
        }
        if (rows == 0) {
            missing[static_cast<std::size_t>(by)] = 1;
            continue;
        }
        const int count = rows * factor;
        float* dst = out.ptr<float>(by);
        for (int bx = 0; bx < gw; ++bx) {
            const auto i = static_cast<std::size_t>(bx);
            dst[bx] = count >= 3 ? (sum[i] - lo[i] - hi[i]) / static_cast<float>(count - 2)
                                 : sum[i] / static_cast<float>(count);
        }
    }
    // Rows lost to dead detectors: the mean of the nearest good rows above and below.
    for (int by = 0; by < gh; ++by) {
        if (!missing[static_cast<std::size_t>(by)])
            continue;
        int above = by - 1, below = by + 1;
        while (above >= 0 && missing[static_cast<std::size_t>(above)])
            --above;
        while (below < gh && missing[static_cast<std::size_t>(below)])
            ++below;
        if (above < 0 && below >= gh)
            continue;
        if (above < 0)
            out.row(below).copyTo(out.row(by));
        else if (below >= gh)
            out.row(above).copyTo(out.row(by));
        else
            cv::addWeighted(out.row(above), 0.5, out.row(below), 0.5, 0, out.row(by));
    }
    return out;
}

Grid reduce(const DualEnergyScan& scan) {
    check_scan(scan);
    Grid grid;
    grid.factor = working_factor(scan.high.width, scan.high.height);
    grid.width = std::max(1, scan.high.width / grid.factor);
    grid.height = std::max(1, scan.high.height / grid.factor);
    grid.sx = scan.along_mm * grid.factor;
    grid.sy = scan.detector_mm * grid.factor;
    // ln(I0/I) of every possible value; 0 counts as half a unit rather than infinity.
    std::vector<float> lut(65536);
    const double air = scan.air;
    for (std::size_t v = 0; v < lut.size(); ++v)
        lut[v] = static_cast<float>(std::log(air / std::max(0.5, static_cast<double>(v))));
    auto dead = find_dead_rows(scan.high, scan.air);
    if (scan.dual()) {
        const auto dead_low = find_dead_rows(scan.low, scan.air);
        for (std::size_t y = 0; y < dead.size(); ++y)
            dead[y] = static_cast<char>(dead[y] | dead_low[y]);
    }
    grid.high = reduce_plane(scan.high, lut, dead, grid.factor);
    if (scan.dual())
        grid.low = reduce_plane(scan.low, lut, dead, grid.factor);
    return grid;
}

/// Box smoothing before taking ratios: more on the fine grid of small scans, whose pixels were
/// not averaged on reduction.
cv::Mat smooth(const cv::Mat& plane, int factor) {
    cv::Mat out;
    const int k = factor >= 3 ? 3 : 5;
    cv::blur(plane, out, cv::Size(k, k), cv::Point(-1, -1), cv::BORDER_REPLICATE);
    return out;
}

Material material_of(float high, float low) {
    if (!(high >= kMaterialMinAttenuation))
        return Material::none;
    if (high > kMaterialMaxAttenuation)
        return Material::undetermined;
    const double ratio = low / high;
    if (ratio >= kOrganicRatio)
        return Material::organic;
    if (ratio >= kInorganicRatio)
        return Material::inorganic;
    return Material::metal;
}

float quantile(std::vector<float>& values, double q) {
    if (values.empty())
        return 0;
    const auto k = static_cast<std::ptrdiff_t>(
        std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1) + 0.5);
    std::nth_element(values.begin(), values.begin() + k, values.end());
    return values[static_cast<std::size_t>(k)];
}

/// Quantile of a row segment or column segment of a plane.
float row_quantile(const cv::Mat& plane, int y, int x0, int x1, double q,
                   std::vector<float>& scratch) {
    scratch.assign(plane.ptr<float>(y) + x0, plane.ptr<float>(y) + x1);
    return quantile(scratch, q);
}

float column_quantile(const cv::Mat& plane, int x, int y0, int y1, double q,
                      std::vector<float>& scratch) {
    scratch.clear();
    for (int y = y0; y < y1; ++y)
        scratch.push_back(plane.at<float>(y, x));
    return quantile(scratch, q);
}

int rows_of(double mm, double spacing) {
    return std::max(1, static_cast<int>(std::lround(mm / spacing)));
}

/// Half the width of the smoothing box of `smooth`.
int smoothing_reach(int factor) {
    return factor >= 3 ? 1 : 2;
}

/// Where the container and its interior are, on the grid.
struct Structure {
    bool found = false;
    bool fallback = false; ///< a roof, floor or end wall was not seen and was assumed
    int x0 = 0, x1 = 0;    ///< interior columns [x0, x1)
    int y0 = 0, y1 = 0;    ///< interior rows [y0, y1)
};

/// Removes the per-row gain and offset left after calibration, measured on the air beside the
/// container (when there is some): every row there should read zero attenuation.
void flatten_rows(Grid& grid, std::vector<float>& column_median) {
    std::vector<float> scratch;
    column_median.assign(static_cast<std::size_t>(grid.width), 0);
    for (int x = 0; x < grid.width; ++x)
        column_median[static_cast<std::size_t>(x)] =
            column_quantile(grid.high, x, 0, grid.height, 0.5, scratch);
    std::vector<int> air_columns;
    for (int x = 0; x < grid.width; ++x) {
        if (column_median[static_cast<std::size_t>(x)] > 0.02)
            continue;
        double peak = 0;
        for (int y = 0; y < grid.height; ++y)
            peak = std::max<double>(peak, grid.high.at<float>(y, x));
        if (peak < 0.1)
            air_columns.push_back(x);
    }
    if (air_columns.size() < 4)
        return;
    for (cv::Mat* plane : {&grid.high, &grid.low}) {
        if (plane->empty())
            continue;
        for (int y = 0; y < grid.height; ++y) {
            scratch.clear();
            for (const int x : air_columns)
                scratch.push_back(plane->at<float>(y, x));
            const float offset = quantile(scratch, 0.5);
            plane->row(y) -= offset;
        }
    }
    for (int x = 0; x < grid.width; ++x)
        column_median[static_cast<std::size_t>(x)] =
            column_quantile(grid.high, x, 0, grid.height, 0.5, scratch);
}

Structure find_structure(const Grid& grid, const std::vector<float>& column_median) {
    Structure s;
    std::vector<float> scratch;
    // The container: columns and rows whose median attenuation is above air.
    int cx0 = -1, cx1 = -1;
    for (int x = 0; x < grid.width; ++x) {
        if (column_median[static_cast<std::size_t>(x)] > 0.03) {
            if (cx0 < 0)
                cx0 = x;
            cx1 = x + 1;
        }
    }
    if (cx0 < 0 || (cx1 - cx0) * grid.sx < 2'000)
        return s;
    const int inset = std::min((cx1 - cx0) / 4, rows_of(300, grid.sx));
    const int qx0 = cx0 + inset, qx1 = cx1 - inset;
    std::vector<float> row_median(static_cast<std::size_t>(grid.height));
    std::vector<float> row_low(static_cast<std::size_t>(grid.height));
    int ry0 = -1, ry1 = -1;
    for (int y = 0; y < grid.height; ++y) {
        row_median[static_cast<std::size_t>(y)] =
            row_quantile(grid.high, y, qx0, qx1, 0.5, scratch);
        row_low[static_cast<std::size_t>(y)] = quantile(scratch, 0.25);
        if (row_median[static_cast<std::size_t>(y)] > 0.03) {
            if (ry0 < 0)
                ry0 = y;
            ry1 = y + 1;
        }
    }
    if (ry0 < 0 || (ry1 - ry0) * grid.sy < 1'500)
        return s;
    const auto low_at = [&](int y) { return row_low[static_cast<std::size_t>(y)]; };
    // Roof: the top rails and the roof sheet attenuate along the whole length; the interior
    // starts where a quarter of the columns are back to the side walls alone.
    int roof_end = -1;
    for (int y = ry0 + 1; y + 1 < ry1 && (y - ry0) * grid.sy < 200; ++y) {
        if (low_at(y) < 0.25 && low_at(y + 1) < 0.25) {
            roof_end = y;
            break;
        }
    }
    if (roof_end < 0) {
        roof_end = ry0 + rows_of(80, grid.sy);
        s.fallback = true;
    }
    const int reach_rows = smoothing_reach(grid.factor);
    s.y0 = roof_end + rows_of(25, grid.sy) + reach_rows;
    // Floor: the plywood floor seen edge-on is the first band from the bottom dense along the
    // whole length, above the cross members and bottom rails.
    // What lies on the floor along the whole length (sacks, a false floor) continues the band
    // upwards: the interior then starts no higher than a plywood floor's thickness above where
    // the band begins, so that layer is measured as contents, not as floor.
    int floor_top = -1;
    for (int y = ry1 - 1 - rows_of(40, grid.sy); y > ry0 && (ry1 - y) * grid.sy < 450; --y) {
        if (low_at(y) > 3.0) {
            int top = y;
            while (top - 1 > ry0 && low_at(top - 1) > 2.0 && (y - top + 1) * grid.sy < 45)
                --top;
            floor_top = top;
            break;
        }
    }
    if (floor_top < 0) {
        floor_top = ry1 - rows_of(200, grid.sy);
        s.fallback = true;
    }
    s.y1 = floor_top - rows_of(15, grid.sy) - reach_rows;
    if ((s.y1 - s.y0) * grid.sy < 1'200)
        return s;
    // End walls: the last strongly attenuating column within 160 mm of each end.
    std::vector<float> mid(static_cast<std::size_t>(grid.width), 0);
    for (int x = cx0; x < cx1; ++x)
        mid[static_cast<std::size_t>(x)] = column_quantile(grid.high, x, s.y0, s.y1, 0.5, scratch);
    const int reach = rows_of(160, grid.sx); // end structures are about 80 mm deep
    int left = -1, right = -1;
    for (int x = cx0; x < std::min(cx1, cx0 + reach); ++x)
        if (mid[static_cast<std::size_t>(x)] > 1.5)
            left = x;
    for (int x = cx1 - 1; x >= std::max(cx0, cx1 - reach); --x)
        if (mid[static_cast<std::size_t>(x)] > 1.5)
            right = x;
    if (left < 0 || right < 0)
        s.fallback = true;
    const int margin = rows_of(25, grid.sx) + reach_rows;
    s.x0 = (left < 0 ? cx0 + rows_of(100, grid.sx) : left + 1) + margin;
    s.x1 = (right < 0 ? cx1 - rows_of(100, grid.sx) : right) - margin;
    s.found = (s.x1 - s.x0) * grid.sx >= 2'000;
    return s;
}

struct Blob {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0; ///< grid pixels, interior coordinates, [x0, x1)
    int area = 0;
    double sum_high = 0, sum_low = 0;
    double peak = 0;
    double sum_background = 0;
    double sum_background_low = 0;
    int undetermined = 0;
    double sum_total = 0;
    double sum_extra = 0;
};

/// Connected blobs of a mask with their sums over two planes.
std::vector<Blob> blobs_of(const cv::Mat& mask, const cv::Mat& high, const cv::Mat& low,
                           const cv::Mat* background = nullptr, const cv::Mat* total = nullptr,
                           const cv::Mat* background_low = nullptr,
                           const cv::Mat* extra = nullptr) {
    cv::Mat labels;
    const int count = cv::connectedComponents(mask, labels, 8, CV_32S);
    std::vector<Blob> blobs(static_cast<std::size_t>(std::max(0, count)));
    for (auto& blob : blobs) {
        blob.x0 = blob.y0 = std::numeric_limits<int>::max();
        blob.x1 = blob.y1 = 0;
    }
    for (int y = 0; y < labels.rows; ++y) {
        const int* label = labels.ptr<int>(y);
        const float* h = high.ptr<float>(y);
        const float* l = low.empty() ? nullptr : low.ptr<float>(y);
        const float* b = background ? background->ptr<float>(y) : nullptr;
        const float* t = total ? total->ptr<float>(y) : nullptr;
        const float* bl =
            background_low && !background_low->empty() ? background_low->ptr<float>(y) : nullptr;
        const float* e = extra ? extra->ptr<float>(y) : nullptr;
        for (int x = 0; x < labels.cols; ++x) {
            if (label[x] == 0)
                continue;
            Blob& blob = blobs[static_cast<std::size_t>(label[x])];
            blob.x0 = std::min(blob.x0, x);
            blob.y0 = std::min(blob.y0, y);
            blob.x1 = std::max(blob.x1, x + 1);
            blob.y1 = std::max(blob.y1, y + 1);
            ++blob.area;
            blob.sum_high += h[x];
            if (l)
                blob.sum_low += l[x];
            blob.peak = std::max<double>(blob.peak, h[x]);
            if (b)
                blob.sum_background += b[x];
            if (bl)
                blob.sum_background_low += bl[x];
            if (t && t[x] > kMaterialMaxAttenuation)
                ++blob.undetermined;
            if (t)
                blob.sum_total += t[x];
            if (e)
                blob.sum_extra += e[x];
        }
    }
    if (!blobs.empty())
        blobs.erase(blobs.begin()); // label 0 is the background
    return blobs;
}

double logistic(double x) {
    return 1.0 / (1.0 + std::exp(-x));
}

/// What the anomaly detectors work on: the cargo's own attenuation inside the interior.
struct Cargo {
    const Grid* grid = nullptr;
    Structure structure;
    cv::Mat high, low;  ///< smoothed cargo attenuation (structure removed), interior only
    cv::Mat total_high; ///< smoothed total attenuation, interior only
    std::vector<float>
        upper_excess; ///< per interior column: attenuation near the roof beyond the walls
    double px_cm2 = 0;
};

AnomalyRegion to_region(const Cargo& cargo, int x0, int y0, int x1, int y1, double score,
                        const char* kind) {
    const int f = cargo.grid->factor;
    AnomalyRegion region;
    region.x = (cargo.structure.x0 + x0) * f;
    region.y = (cargo.structure.y0 + y0) * f;
    region.width = (x1 - x0) * f;
    region.height = (y1 - y0) * f;
    region.score = std::clamp(score, 0.0, 1.0);
    region.kind = kind;
    return region;
}

/// Dense compact objects: what a grey opening with a 45 cm element removes (the white top-hat)
/// is what stands out from its surroundings at the scale of a hidden package, in the
/// high-energy attenuation and in the metal map (what the low energy lacks for organic goods).
/// Each candidate is measured (kDenseFeatureNames) and judged by the dense-object model, trained
/// on labelled simulated scans (dense_model.hpp). `cargo_class` is what the load should be
/// (declared, or seen when not declared): in a load of metal or inorganic goods one more dense
/// item is no news, so none is looked for.
void find_dense_objects(const Cargo& cargo, CargoClass cargo_class, CargoClass declared,
                        std::vector<AnomalyRegion>& out, DenseCandidates* collect) {
    if (cargo.low.empty() || cargo_class == CargoClass::metal ||
        cargo_class == CargoClass::inorganic)
        return;
    const Grid& g = *cargo.grid;
    const cv::Mat element = cv::getStructuringElement(
        cv::MORPH_RECT, cv::Size(rows_of(450, g.sx) | 1, rows_of(450, g.sy) | 1));
    // Long thin structures (pallet decks, carton seams, crate sides) are background too: the
    // background is the largest of openings by the square and by long horizontal and vertical
    // lines, so only what is compact in both directions is left in the top-hat.
    const cv::Mat along =
        cv::getStructuringElement(cv::MORPH_RECT, cv::Size(rows_of(700, g.sx) | 1, 1));
    const cv::Mat down =
        cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, rows_of(700, g.sy) | 1));
    const auto background = [&](const cv::Mat& plane) {
        cv::Mat square, wide, tall;
        cv::morphologyEx(plane, square, cv::MORPH_OPEN, element, cv::Point(-1, -1), 1,
                         cv::BORDER_REPLICATE);
        cv::morphologyEx(plane, wide, cv::MORPH_OPEN, along, cv::Point(-1, -1), 1,
                         cv::BORDER_REPLICATE);
        cv::morphologyEx(plane, tall, cv::MORPH_OPEN, down, cv::Point(-1, -1), 1,
                         cv::BORDER_REPLICATE);
        return cv::Mat(cv::max(square, cv::max(wide, tall)));
    };
    const cv::Mat open_high = background(cargo.high);
    const cv::Mat hat_high = cargo.high - open_high;
    const cv::Mat metal = kOrganicReference * cargo.high - cargo.low;
    const cv::Mat hat_metal = metal - background(metal);
    const cv::Mat none;
    // Blobs of the top-hat at rising thresholds: cartons a little denser than their neighbours
    // join into large blobs at the lowest one, a hidden object then stands alone at a higher.
    // Blobs of the metal map's top-hat likewise: metal that adds little attenuation to a dense
    // stack still stands out there.
    std::vector<Blob> blobs;
    for (const double level : {0.15, 0.3, 0.6, 1.2}) {
        const cv::Mat mask = hat_high > level;
        for (auto& blob :
             blobs_of(mask, hat_high, none, &open_high, &cargo.total_high, nullptr, &hat_metal)) {
            const double area_cm2 = blob.area * cargo.px_cm2;
            const double w_mm = (blob.x1 - blob.x0) * g.sx, h_mm = (blob.y1 - blob.y0) * g.sy;
            if (area_cm2 >= 60 && w_mm <= 650 && h_mm <= 650)
                blobs.push_back(blob);
        }
    }
    for (const double level : {0.03, 0.06, 0.12, 0.24}) {
        const cv::Mat mask = hat_metal > level;
        for (auto& blob :
             blobs_of(mask, hat_high, none, &open_high, &cargo.total_high, nullptr, &hat_metal)) {
            const double area_cm2 = blob.area * cargo.px_cm2;
            const double w_mm = (blob.x1 - blob.x0) * g.sx, h_mm = (blob.y1 - blob.y0) * g.sy;
            if (area_cm2 >= 60 && w_mm <= 650 && h_mm <= 650)
                blobs.push_back(blob);
        }
    }
    // What each candidate is judged on. The metal map's excess over its opening is the
    // object's departure from organic matter (an organic object adds as much to r·H as to L
    // whatever its density; steel and lead add far less to L); its ring, core and local spread
    // say whether that excess stands out from the noise and texture around it, which grow with
    // the attenuation (fewer photons, most of all at the low energy).
    const cv::Mat metal_smooth = [&] {
        cv::Mat out_blur;
        cv::blur(metal, out_blur, cv::Size(7, 7), cv::Point(-1, -1), cv::BORDER_REPLICATE);
        return out_blur;
    }();
    const auto integrals = [](const cv::Mat& plane) {
        cv::Mat wide, sum, squares;
        plane.convertTo(wide, CV_64F);
        cv::integral(wide, sum, squares, CV_64F, CV_64F);
        return std::pair{sum, squares};
    };
    const auto [sum_high, sum_high_sq] = integrals(cargo.high);
    const auto [sum_low, sum_low_sq] = integrals(cargo.low);
    const auto [sum_hat_metal, sum_hat_metal_sq] = integrals(hat_metal);
    const auto [sum_metal, sum_metal_sq] = integrals(metal);
    const cv::Mat highpass = metal - metal_smooth;
    const auto sum_highpass_sq = integrals(highpass.mul(highpass)).first;
    const auto rect_sum = [](const cv::Mat& integral, int x0, int y0, int x1, int y1) {
        return integral.at<double>(y1, x1) - integral.at<double>(y0, x1) -
               integral.at<double>(y1, x0) + integral.at<double>(y0, x0);
    };
    const int ring_x = rows_of(120, g.sx), ring_y = rows_of(120, g.sy);
    const int cols = cargo.high.cols, rows = cargo.high.rows;
    // Mean inside the box, and mean and spread in the ring `mx` x `my` around it.
    struct BoxStats {
        double inside = 0, ring = 0, ring_sd = 0;
    };
    const auto box_stats = [&](const cv::Mat& sum, const cv::Mat& squares, const Blob& blob, int mx,
                               int my) {
        const int ax0 = std::max(0, blob.x0 - mx), ay0 = std::max(0, blob.y0 - my);
        const int ax1 = std::min(cols, blob.x1 + mx), ay1 = std::min(rows, blob.y1 + my);
        const double n_in = static_cast<double>(blob.x1 - blob.x0) * (blob.y1 - blob.y0);
        const double n_ring = static_cast<double>(ax1 - ax0) * (ay1 - ay0) - n_in;
        const double s_in = rect_sum(sum, blob.x0, blob.y0, blob.x1, blob.y1);
        const double s_ring = rect_sum(sum, ax0, ay0, ax1, ay1) - s_in;
        const double q_ring = rect_sum(squares, ax0, ay0, ax1, ay1) -
                              rect_sum(squares, blob.x0, blob.y0, blob.x1, blob.y1);
        BoxStats stats;
        stats.inside = s_in / n_in;
        if (n_ring >= 1) {
            stats.ring = s_ring / n_ring;
            stats.ring_sd = std::sqrt(std::max(0.0, q_ring / n_ring - stats.ring * stats.ring));
        }
        return stats;
    };
    profiling::FeatureMatrix features;
    features.names.assign(kDenseFeatureNames.begin(), kDenseFeatureNames.end());
    for (const auto& blob : blobs) {
        const BoxStats high = box_stats(sum_high, sum_high_sq, blob, ring_x, ring_y);
        const BoxStats low = box_stats(sum_low, sum_low_sq, blob, ring_x, ring_y);
        const double ring_ratio = high.ring > 1e-3 ? low.ring / high.ring : 0.0;
        const double stack = blob.sum_background / blob.area;
        const double total = blob.sum_total / blob.area;
        const double excess = blob.sum_extra / blob.area;
        const double hat = blob.sum_high / blob.area;
        const BoxStats hat_m = box_stats(sum_hat_metal, sum_hat_metal_sq, blob, ring_x, ring_y);
        const BoxStats met = box_stats(sum_metal, sum_metal_sq, blob, ring_x, ring_y);
        const BoxStats met_wide = box_stats(sum_metal, sum_metal_sq, blob, 3 * ring_x, 3 * ring_y);
        const BoxStats highpass_sq = box_stats(sum_highpass_sq, sum_highpass_sq, blob, 0, 0);
        // The middle half of the box in both directions: away from the object's blurred edges.
        const int qx = (blob.x1 - blob.x0) / 4, qy = (blob.y1 - blob.y0) / 4;
        const int cx0 = blob.x0 + qx, cx1 = blob.x1 - qx, cy0 = blob.y0 + qy, cy1 = blob.y1 - qy;
        const double core_n = static_cast<double>(cx1 - cx0) * (cy1 - cy0);
        const auto core = [&](const cv::Mat& sum) {
            return core_n > 0 ? rect_sum(sum, cx0, cy0, cx1, cy1) / core_n : 0.0;
        };
        const double noise = 0.02 + 0.0005 * std::exp(0.8 * total);
        const bool organic_ring = ring_ratio >= kInorganicRatio + 0.055 && stack >= 0.3;
        const std::array<double, kDenseFeatureNames.size()> row{
            blob.area * cargo.px_cm2,
            (blob.x1 - blob.x0) * g.sx,
            (blob.y1 - blob.y0) * g.sy,
            hat,
            blob.peak,
            stack,
            total,
            excess,
            ring_ratio,
            blob.peak / std::max(1e-3, hat),
            organic_ring ? 1.0 : 0.0,
            hat_m.inside,
            hat_m.ring,
            hat_m.ring_sd,
            met.inside,
            met.ring,
            met.ring_sd,
            met_wide.ring,
            met_wide.ring_sd,
            core(sum_hat_metal),
            core(sum_metal),
            std::sqrt(std::max(0.0, highpass_sq.inside)),
            excess / noise,
            excess / std::max(1e-3, hat),
            declared == CargoClass::organic ? 1.0 : 0.0,
            declared == CargoClass::mixed ? 1.0 : 0.0,
            declared == CargoClass::unknown ? 1.0 : 0.0,
        };
        features.values.insert(features.values.end(), row.begin(), row.end());
        ++features.rows;
        if (collect) {
            const AnomalyRegion box = to_region(cargo, blob.x0, blob.y0, blob.x1, blob.y1, 0, "");
            collect->boxes.push_back({box.x, box.y, box.width, box.height});
        }
    }
    if (collect)
        collect->features.insert(collect->features.end(), features.values.begin(),
                                 features.values.end());
    const std::vector<float> margins = dense_object_margins(features);
    if (margins.empty())
        return;
    // One region per object: the strongest of overlapping blobs.
    std::vector<std::size_t> order(blobs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return margins[a] > margins[b]; });
    std::vector<const Blob*> kept;
    for (const std::size_t i : order) {
        const Blob& c = blobs[i];
        const bool overlapping = std::any_of(kept.begin(), kept.end(), [&](const Blob* k) {
            return c.x0 < k->x1 && k->x0 < c.x1 && c.y0 < k->y1 && k->y0 < c.y1;
        });
        if (overlapping)
            continue;
        kept.push_back(&c);
        out.push_back(to_region(cargo, c.x0, c.y0, c.x1, c.y1,
                                logistic(margins[i] + kDenseMarginOffset), "dense_object"));
    }
}

/// Wall compartments: a false end wall is a thin line attenuating more than both its sides over
/// the whole interior height near an end wall; a false side panel is extra attenuation right
/// under the roof along a stretch, where cargo seldom reaches.
void find_wall_compartments(const Cargo& cargo, std::vector<AnomalyRegion>& out) {
    const Grid& g = *cargo.grid;
    const int w = cargo.high.cols, h = cargo.high.rows;
    const int k_thin = std::max(2, rows_of(40, g.sx));
    const int k = std::max(k_thin + 1, rows_of(70, g.sx)); // wider than a sheet band edge-on
    const int ya = rows_of(100, g.sy), yb = h - rows_of(150, g.sy);
    const int reach = std::min(w / 3, rows_of(900, g.sx));
    std::vector<float> scratch;
    const int top_rows = ya + (yb - ya) / 4;
    for (const bool right : {false, true}) {
        double best = 0;
        int best_x = -1;
        for (int i = k; i < reach; ++i) {
            const int x = right ? w - 1 - i : i;
            if (x - k < 0 || x + k >= w)
                continue;
            scratch.clear();
            for (int y = ya; y < yb; ++y) {
                const float* row = cargo.high.ptr<float>(y);
                // Denser than both sides, at the distance of a thin line or of a sheet band.
                const float thin = std::min(row[x] - row[x - k_thin], row[x] - row[x + k_thin]);
                const float wide = std::min(row[x] - row[x - k], row[x] - row[x + k]);
                scratch.push_back(std::max(thin, wide));
            }
            std::vector<float> top(scratch.begin(), scratch.begin() + (top_rows - ya));
            // Present down most of the height, and all along the upper part where cargo and
            // the compartment's contents seldom reach.
            const double all = quantile(scratch, 0.4);
            const double upper = quantile(top, 0.2);
            const double ridge = std::min(all, upper);
            if (ridge > best) {
                best = ridge;
                best_x = x;
            }
        }
        if (best_x < 0)
            continue;
        const double evidence = (best - 0.3) / 0.1;
        const int x0 = right ? best_x : 0, x1 = right ? w : best_x + 1;
        out.push_back(to_region(cargo, x0, 0, x1, h, logistic(evidence + 0.5), "wall_compartment"));
    }
    // Side panels: a plateau of modest extra attenuation under the roof, 0.8 m or longer.
    const auto& u = cargo.upper_excess;
    const int min_run = rows_of(800, g.sx);
    int start = -1;
    for (int x = 0; x <= w; ++x) {
        const bool on = x < w && u[static_cast<std::size_t>(x)] > 0.022 &&
                        u[static_cast<std::size_t>(x)] < 0.35;
        if (on && start < 0)
            start = x;
        if (!on && start >= 0) {
            if (x - start >= min_run) {
                double sum = 0, sum2 = 0;
                for (int i = start; i < x; ++i) {
                    sum += u[static_cast<std::size_t>(i)];
                    sum2 += u[static_cast<std::size_t>(i)] * u[static_cast<std::size_t>(i)];
                }
                const double n = x - start, mean = sum / n;
                const double cv = std::sqrt(std::max(0.0, sum2 / n - mean * mean)) / mean;
                const double evidence = (x - start) * g.sx / 1000.0 - 1.0 - 4 * cv;
                out.push_back(to_region(cargo, start, 0, x, h, logistic(2 * (evidence - 0.1)),
                                        "wall_compartment"));
            }
            start = -1;
        }
    }
}

/// Floor compartments: a layer just above the floor, denser than what stands on it, along a
/// stretch of a metre or more, and filled down to the floor (pallets leave voids under their
/// decks, goods on dunnage stand clear of the floor; sacks on the floor are as dense at the
/// bottom as above).
void find_floor_compartments(const Cargo& cargo, CargoClass cargo_class,
                             std::vector<AnomalyRegion>& out) {
    const Grid& g = *cargo.grid;
    const int w = cargo.high.cols, h = cargo.high.rows;
    const int low0 = std::max(0, h - rows_of(160, g.sy));
    const int bottom0 = std::max(0, h - rows_of(50, g.sy));
    const int mid0 = std::max(0, h - rows_of(450, g.sy));
    const int mid1 = std::max(0, h - rows_of(220, g.sy));
    std::vector<float> diff(static_cast<std::size_t>(w)), bottom(diff.size());
    for (int x = 0; x < w; ++x) {
        double low = 0, mid = 0, bot = 0;
        for (int y = low0; y < h; ++y)
            low += cargo.high.at<float>(y, x);
        for (int y = bottom0; y < h; ++y)
            bot += cargo.high.at<float>(y, x);
        for (int y = mid0; y < mid1; ++y)
            mid += cargo.high.at<float>(y, x);
        low /= std::max(1, h - low0);
        mid /= std::max(1, mid1 - mid0);
        bottom[static_cast<std::size_t>(x)] = static_cast<float>(bot / std::max(1, h - bottom0));
        diff[static_cast<std::size_t>(x)] = static_cast<float>(low - std::max(0.0, mid));
    }
    // Smooth along the container over 20 cm.
    cv::Mat d(1, w, CV_32F, diff.data()), ds, b(1, w, CV_32F, bottom.data()), bs;
    const cv::Size along(rows_of(200, g.sx) | 1, 1);
    cv::blur(d, ds, along, cv::Point(-1, -1), cv::BORDER_REPLICATE);
    cv::blur(b, bs, along, cv::Point(-1, -1), cv::BORDER_REPLICATE);
    const int min_run = rows_of(800, g.sx);
    int start = -1;
    for (int x = 0; x <= w; ++x) {
        const bool on = x < w && ds.at<float>(0, x) > 0.4 && bs.at<float>(0, x) > 0.5;
        if (on && start < 0)
            start = x;
        if (!on && start >= 0) {
            if (x - start >= min_run) {
                double sum = 0;
                for (int i = start; i < x; ++i)
                    sum += ds.at<float>(0, i);
                const double mean = sum / (x - start);
                double evidence = 2.0 * std::log2(std::min(mean, 4.0) / 0.8) +
                                  0.5 * std::min(3.0, (x - start) * g.sx / 1000.0 - 1);
                // Plates, bars and tiles lie in dense layers near the floor.
                if (cargo_class == CargoClass::metal || cargo_class == CargoClass::inorganic)
                    evidence -= 6;
                out.push_back(to_region(cargo, start, low0, x, h, logistic(evidence - 1.5),
                                        "floor_compartment"));
            }
            start = -1;
        }
    }
}

} // namespace

double typical_tare_kg(int length_ft) {
    if (length_ft <= 20)
        return 2'200;
    if (length_ft >= 45)
        return 4'800;
    return 3'700;
}

RatioMap dual_energy_ratio_map(const DualEnergyScan& scan) {
    const Grid grid = reduce(scan);
    RatioMap map;
    map.width = grid.width;
    map.height = grid.height;
    map.factor = grid.factor;
    const cv::Mat high = smooth(grid.high, grid.factor);
    const cv::Mat low = grid.low.empty() ? cv::Mat() : smooth(grid.low, grid.factor);
    const auto n = static_cast<std::size_t>(grid.width) * static_cast<std::size_t>(grid.height);
    map.ratio.assign(n, std::numeric_limits<float>::quiet_NaN());
    map.attenuation.assign(n, 0);
    for (int y = 0; y < grid.height; ++y) {
        for (int x = 0; x < grid.width; ++x) {
            const auto i = static_cast<std::size_t>(y) * grid.width + x;
            const float h = high.at<float>(y, x);
            map.attenuation[i] = h;
            if (!low.empty() && h >= kMaterialMinAttenuation)
                map.ratio[i] = low.at<float>(y, x) / h;
        }
    }
    return map;
}

MaterialMap classify_materials(const DualEnergyScan& scan) {
    MaterialMap map;
    map.width = scan.high.width;
    map.height = scan.high.height;
    map.classes.assign(static_cast<std::size_t>(map.width) * map.height, Material::none);
    if (!scan.dual()) {
        check_scan(scan);
        return map;
    }
    const Grid grid = reduce(scan);
    const cv::Mat high = smooth(grid.high, grid.factor);
    const cv::Mat low = smooth(grid.low, grid.factor);
    std::vector<Material> row_classes(static_cast<std::size_t>(grid.width));
    for (int y = 0; y < map.height; ++y) {
        const int gy = std::min(grid.height - 1, y / grid.factor);
        if (y == 0 || gy != std::min(grid.height - 1, (y - 1) / grid.factor)) {
            const float* h = high.ptr<float>(gy);
            const float* l = low.ptr<float>(gy);
            for (int gx = 0; gx < grid.width; ++gx)
                row_classes[static_cast<std::size_t>(gx)] = material_of(h[gx], l[gx]);
        }
        Material* dst = map.classes.data() + static_cast<std::size_t>(y) * map.width;
        for (int x = 0; x < map.width; ++x)
            dst[x] =
                row_classes[static_cast<std::size_t>(std::min(grid.width - 1, x / grid.factor))];
    }
    return map;
}

CargoClass cargo_class_for_hs_chapter(int chapter) {
    // Harmonized System sections, by what the goods are mostly made of. Chapter 77 is reserved.
    if (chapter == 77)
        return CargoClass::unknown;
    if (chapter >= 1 && chapter <= 24)
        return CargoClass::organic; // animals, plants, fats, food, drinks, tobacco
    if (chapter >= 25 && chapter <= 27)
        return CargoClass::inorganic; // salt, stone, cement, ores, mineral fuels
    if (chapter == 28)
        return CargoClass::inorganic; // inorganic chemicals
    if (chapter >= 29 && chapter <= 38)
        return CargoClass::organic; // organic chemicals, pharmaceuticals, soaps, dyes
    if (chapter >= 39 && chapter <= 67)
        return CargoClass::organic; // plastics, rubber, leather, wood, paper, textiles, footwear
    if (chapter >= 68 && chapter <= 70)
        return CargoClass::inorganic; // stone, ceramics, glass
    if (chapter == 71)
        return CargoClass::mixed; // pearls, precious stones and metals
    if (chapter >= 72 && chapter <= 83)
        return CargoClass::metal; // base metals and articles of them
    if (chapter >= 84 && chapter <= 89)
        return CargoClass::mixed; // machinery, electrical equipment, vehicles, ships
    if (chapter >= 90 && chapter <= 97)
        return CargoClass::mixed; // instruments, arms, furniture, toys, miscellaneous, art
    return CargoClass::unknown;
}

const char* cargo_class_name(CargoClass cargo) {
    switch (cargo) {
    case CargoClass::organic: return "organic";
    case CargoClass::inorganic: return "inorganic";
    case CargoClass::metal: return "metal";
    case CargoClass::mixed: return "mixed";
    case CargoClass::unknown: break;
    }
    return "unknown";
}

namespace {

/// Everything after the reduction: what analyse_scan decides from the grid.
ScanAnalysis analyse_grid(Grid grid, const Declaration& declared, DenseCandidates* candidates) {
    ScanAnalysis out;
    out.algorithm_version = kAlgorithmVersion;
    if (declared.gross_mass_kg) {
        const double tare = declared.tare_mass_kg.value_or(typical_tare_kg(declared.length_ft));
        out.declared_cargo_mass_kg = std::max(0.0, *declared.gross_mass_kg - tare);
    }
    std::vector<float> column_median;
    flatten_rows(grid, column_median);
    const Structure s = find_structure(grid, column_median);
    out.container_found = s.found;
    if (!s.found) {
        out.confidence = 0.1;
        return out;
    }
    const int f = grid.factor;
    out.interior = {s.x0 * f, s.y0 * f, (s.x1 - s.x0) * f, (s.y1 - s.y0) * f};
    const int iw = s.x1 - s.x0, ih = s.y1 - s.y0;
    const cv::Rect roi(s.x0, s.y0, iw, ih);

    // The structure's own attenuation inside: the two side walls, constant down each column
    // (corrugation varies it along the length). Measured per column just under the roof, where
    // cargo seldom is, and held to the wall level of the emptiest columns plus the corrugation.
    const int upper = std::max(2, rows_of(140, grid.sy));
    std::vector<float> scratch;
    std::vector<float> raw_high(static_cast<std::size_t>(iw)), raw_low(raw_high.size());
    for (int x = 0; x < iw; ++x) {
        raw_high[static_cast<std::size_t>(x)] =
            column_quantile(grid.high, s.x0 + x, s.y0, s.y0 + upper, 0.5, scratch);
        if (!grid.low.empty())
            raw_low[static_cast<std::size_t>(x)] =
                column_quantile(grid.low, s.x0 + x, s.y0, s.y0 + upper, 0.5, scratch);
    }
    scratch = raw_high;
    const float wall_high = std::min(quantile(scratch, 0.2), 0.25F);
    scratch = raw_low;
    const float wall_low = std::min(quantile(scratch, 0.2), 0.3F);
    Cargo cargo;
    cargo.grid = &grid;
    cargo.structure = s;
    cargo.px_cm2 = grid.sx * grid.sy / 100.0;
    cargo.upper_excess.resize(static_cast<std::size_t>(iw));
    cv::Mat base_high(1, iw, CV_32F), base_low(1, iw, CV_32F);
    for (int x = 0; x < iw; ++x) {
        const auto i = static_cast<std::size_t>(x);
        base_high.at<float>(0, x) = std::min(raw_high[i], wall_high + 0.02F);
        base_low.at<float>(0, x) = std::min(raw_low[i], wall_low + 0.025F);
        cargo.upper_excess[i] = raw_high[i] - wall_high;
    }
    cv::Mat total_high = grid.high(roi).clone();
    cv::Mat cargo_high = total_high - cv::repeat(base_high, ih, 1);
    cv::Mat cargo_low;
    if (!grid.low.empty())
        cargo_low = grid.low(roi) - cv::repeat(base_low, ih, 1);
    // Next to the roof and the floor, what the structure leaves in a row runs along the whole
    // length; cargo leaves gaps. Take out a row's 10th percentile there.
    const int edge_rows = rows_of(100, grid.sy);
    for (cv::Mat* plane : {&cargo_high, &cargo_low}) {
        if (plane->empty())
            continue;
        for (int y = 0; y < ih; ++y) {
            if (y >= edge_rows && y < ih - edge_rows)
                continue;
            // More than a faint residual is a layer of something (a false floor), not leakage.
            const float residual = row_quantile(*plane, y, 0, iw, 0.1, scratch);
            if (residual > 0 && residual < 0.3F)
                plane->row(y) -= residual;
        }
    }
    cargo.high = smooth(cargo_high, f);
    cargo.low = cargo_low.empty() ? cv::Mat() : smooth(cargo_low, f);
    cargo.total_high = smooth(total_high, f);

    // Empty-container verification: blobs of attenuation beyond the structure, weighed.
    cv::Mat mask = cargo.high > kLoadThreshold;
    cv::Mat labels;
    cv::Mat stats, centroids;
    const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    // A blob counts when it is large enough and not a thin steel sheet (a repair patch on a
    // side wall: faint and with the dual-energy ratio of steel).
    std::vector<double> blob_high(static_cast<std::size_t>(std::max(1, count)), 0.0);
    std::vector<double> blob_low(blob_high.size(), 0.0);
    for (int y = 0; y < ih; ++y) {
        const int* label = labels.ptr<int>(y);
        const float* h = cargo.high.ptr<float>(y);
        const float* l = cargo.low.empty() ? nullptr : cargo.low.ptr<float>(y);
        for (int x = 0; x < iw; ++x) {
            blob_high[static_cast<std::size_t>(label[x])] += h[x];
            if (l)
                blob_low[static_cast<std::size_t>(label[x])] += l[x];
        }
    }
    std::vector<char> keep(blob_high.size(), 0);
    for (int label = 1; label < count; ++label) {
        const auto i = static_cast<std::size_t>(label);
        const int area = stats.at<int>(label, cv::CC_STAT_AREA);
        const double mean = blob_high[i] / area;
        const bool sheet =
            !cargo.low.empty() && mean < 0.15 && blob_low[i] < kInorganicRatio * blob_high[i];
        keep[i] = area * cargo.px_cm2 >= kMinBlobCm2 && !sheet ? 1 : 0;
    }
    double evidence_kg = 0, implied_kg = 0, loaded_sum = 0;
    std::array<double, 5> class_area{};
    int loaded_px = 0;
    std::vector<double> slice_sum(60, 0.0);
    std::vector<int> slice_px(60, 0);
    for (int y = 0; y < ih; ++y) {
        const int* label = labels.ptr<int>(y);
        const float* h = cargo.high.ptr<float>(y);
        const float* l = cargo.low.empty() ? nullptr : cargo.low.ptr<float>(y);
        const float* t = cargo.total_high.ptr<float>(y);
        for (int x = 0; x < iw; ++x) {
            const auto slice = static_cast<std::size_t>(x * 60 / iw);
            slice_sum[slice] += std::max(0.0F, h[x]);
            ++slice_px[slice];
            if (!keep[static_cast<std::size_t>(label[x])])
                continue;
            ++loaded_px;
            loaded_sum += h[x];
            Material material = Material::none;
            if (t[x] > kMaterialMaxAttenuation)
                material = Material::undetermined;
            else if (l && h[x] >= kMaterialMinAttenuation)
                material = material_of(h[x], l[x]);
            class_area[static_cast<std::size_t>(material)] += 1;
            const double mu = material == Material::metal || material == Material::undetermined
                                  ? kMuMetal
                              : material == Material::inorganic ? kMuInorganic
                                                                : kMuOrganic;
            const double kg = h[x] / mu * cargo.px_cm2 / 1000.0;
            implied_kg += kg;
            evidence_kg += h[x] / kMuOrganic * cargo.px_cm2 / 1000.0;
        }
    }
    out.load_score = evidence_kg / (evidence_kg + kLoadEvidenceKg);
    out.loaded = out.load_score >= 0.5;
    out.fill_fraction = static_cast<double>(loaded_px) / (static_cast<double>(iw) * ih);
    out.density_profile.resize(60);
    double profile_sum = 0, profile_sum2 = 0;
    for (std::size_t i = 0; i < 60; ++i) {
        out.density_profile[i] = slice_px[i] ? slice_sum[i] / slice_px[i] : 0.0;
        profile_sum += out.density_profile[i];
        profile_sum2 += out.density_profile[i] * out.density_profile[i];
    }
    const double profile_mean = profile_sum / 60;
    out.density_spread =
        profile_mean > 1e-6
            ? std::sqrt(std::max(0.0, profile_sum2 / 60 - profile_mean * profile_mean)) /
                  profile_mean
            : 0.0;
    out.mean_density = loaded_px ? loaded_sum / loaded_px : 0.0;
    out.implied_cargo_mass_kg = out.loaded ? implied_kg : 0.0;
    const double classified = class_area[1] + class_area[2] + class_area[3] + class_area[4];
    if (classified > 0) {
        out.organic_share = class_area[1] / classified;
        out.inorganic_share = class_area[2] / classified;
        out.metal_share = class_area[3] / classified;
        out.undetermined_share = class_area[4] / classified;
    }

    // Anomalies, strongest first.
    if (out.loaded || declared.empty) {
        CargoClass expected = declared.cargo;
        if (expected == CargoClass::unknown) // judge by what the image shows
            expected = out.organic_share > 0.75                         ? CargoClass::organic
                       : out.metal_share + out.undetermined_share > 0.4 ? CargoClass::metal
                                                                        : CargoClass::mixed;
        find_dense_objects(cargo, expected, declared.cargo, out.anomalies, candidates);
        find_wall_compartments(cargo, out.anomalies);
        find_floor_compartments(cargo, expected, out.anomalies);
    }
    std::sort(out.anomalies.begin(), out.anomalies.end(),
              [](const AnomalyRegion& a, const AnomalyRegion& b) { return a.score > b.score; });
    if (out.anomalies.size() > 10)
        out.anomalies.resize(10);
    out.anomaly_score = out.anomalies.empty() ? 0.0 : out.anomalies.front().score;

    // Against the manifest.
    out.declared_empty_but_loaded = declared.empty && out.loaded;
    if (out.declared_cargo_mass_kg && *out.declared_cargo_mass_kg > 0 && !declared.empty)
        out.mass_ratio = implied_kg / *out.declared_cargo_mass_kg;
    const double dense_share = out.metal_share + out.undetermined_share;
    bool inconsistent = false;
    if (!declared.empty && out.loaded) {
        if (declared.cargo == CargoClass::organic && dense_share > 0.3)
            inconsistent = true;
        if ((declared.cargo == CargoClass::metal || declared.cargo == CargoClass::inorganic) &&
            out.organic_share > 0.85)
            inconsistent = true;
        if (out.mass_ratio && out.undetermined_share < 0.2 &&
            (*out.mass_ratio < 0.5 || *out.mass_ratio > 2.0))
            inconsistent = true;
    }
    out.density_inconsistent = inconsistent;

    // Confidence: lower when much of the load cannot be seen through, or the structure had to
    // be assumed.
    double confidence = 0.95 - 0.6 * out.undetermined_share * std::min(1.0, out.fill_fraction * 3);
    if (s.fallback)
        confidence -= 0.25;
    if (grid.low.empty())
        confidence -= 0.2;
    out.confidence = std::clamp(confidence, 0.05, 1.0);
    return out;
}

} // namespace

ScanAnalysis analyse_scan(const DualEnergyScan& scan, const Declaration& declared,
                          DenseCandidates* candidates) {
    return analyse_grid(reduce(scan), declared, candidates);
}

} // namespace portscreen::scanner_io

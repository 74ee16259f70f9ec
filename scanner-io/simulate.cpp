#include "simulate.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace portscreen::scanner_io {
namespace {

// ---------------------------------------------------------------------------------------------
// Physics

/// Mass attenuation coefficients μ/ρ in cm²/g for the two beams, taken as monoenergetic at their
/// effective energies: 4 MeV (low) and 6 MeV (high). Values from J. H. Hubbell and
/// S. M. Seltzer, "Tables of X-Ray Mass Attenuation Coefficients and Mass Energy-Absorption
/// Coefficients from 1 keV to 20 MeV for Elements Z = 1 to 92 and 48 Additional Substances of
/// Dosimetric Interest", NIST Standard Reference Database 126 (NISTIR 5632, 1995; data of
/// 2004), https://physics.nist.gov/PhysRefData/XrayMassCoef/ (Table 3 elements, Table 4
/// compounds). R = low/high is in the comments.
struct Mu {
    float low;
    float high;
};
constexpr Mu kWater{0.03403F, 0.02770F};        // Table 4 "Water, Liquid": R 1.229
constexpr Mu kPolyethylene{0.03444F, 0.02760F}; // Table 4 "Polyethylene": R 1.248
// Cellulose C6H10O5 (wood, paper, cotton) by the mixture rule from Table 3: H 0.05806/0.04498,
// C 0.03047/0.02469, O 0.03100/0.02552, mass fractions 0.062/0.444/0.494: R 1.231.
constexpr Mu kCellulose{0.03245F, 0.02637F};
constexpr Mu kAluminium{0.03106F, 0.02655F}; // Table 3, Z = 13: R 1.170
constexpr Mu kConcrete{0.03217F, 0.02697F};  // Table 4 "Concrete, Ordinary": R 1.193
constexpr Mu kGlass{0.03140F, 0.02632F};     // Table 4 "Glass, Borosilicate": R 1.193
constexpr Mu kIron{0.03312F, 0.03057F};      // Table 3, Z = 26: R 1.083
constexpr Mu kCopper{0.03318F, 0.03108F};    // Table 3, Z = 29: R 1.068
constexpr Mu kLead{0.04197F, 0.04391F};      // Table 3, Z = 82: R 0.956
// Tyre rubber with steel belts, about 12% steel by mass.
constexpr Mu kTyre{0.88F * kPolyethylene.low + 0.12F * kIron.low,
                   0.88F * kPolyethylene.high + 0.12F * kIron.high};

constexpr double kSteel = 7.85; // g/cm³
constexpr double kLeadRho = 11.35;
constexpr double kHardwood = 0.72; // container floor plywood (apitong/keruing)
constexpr double kPalletWood = 0.55;

// Field of view and detector. The along-scan spacing follows from the 14.4 m field (2.4 mm at
// 6000 columns); the detector column covers 3.3 m (2.75 mm at 1200 rows).
constexpr double kFieldAlongMm = 14'400;
constexpr double kFieldDetectorMm = 3'300;
constexpr std::uint16_t kAir = 60'000;
// Photon statistics: the air value corresponds to this many detected photons per pixel, fewer
// at the low energy (smaller dose per pulse); electronic noise in digital units.
constexpr double kPhotonsHigh = 40'000;
constexpr double kPhotonsLow = 25'000;
constexpr double kElectronicNoise = 2.0;

// ---------------------------------------------------------------------------------------------
// Random numbers: xoshiro256** seeded by splitmix64, so a seed gives the same scan everywhere.

std::uint64_t splitmix(std::uint64_t& state) {
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        for (auto& word : state_)
            word = splitmix(seed);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Log-uniform between lo and hi (both positive).
    double log_uniform(double lo, double hi) {
        return std::exp(uniform(std::log(lo), std::log(hi)));
    }
    int integer(int lo, int hi) { // inclusive
        return lo + static_cast<int>(uniform() * (hi - lo + 1));
    }
    bool chance(double p) { return uniform() < p; }
    double normal() {
        const double u1 = std::max(uniform(), 1e-300);
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    /// A factor around 1 with the given log-spread.
    double spread(double sigma) { return std::exp(sigma * normal()); }
    /// An index drawn with the given weights.
    template <std::size_t N> std::size_t pick(const std::array<double, N>& weights) {
        double total = 0;
        for (const double w : weights)
            total += w;
        double roll = uniform() * total;
        for (std::size_t idx = 0; idx < N; ++idx) {
            roll -= weights[idx];
            if (roll < 0)
                return idx;
        }
        return N - 1;
    }
    /// An approximately normal deviate (Irwin-Hall of four 16-bit uniforms): cheap enough for
    /// per-pixel noise, tails cut at 3.5 sigma.
    float fast_normal() {
        const std::uint64_t bits = next();
        const auto sum = static_cast<float>((bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) +
                                            ((bits >> 32) & 0xFFFF) + (bits >> 48));
        return (sum - 131070.0F) * (1.0F / 37837.2F);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<std::uint64_t, 4> state_{};
};

// ---------------------------------------------------------------------------------------------
// The scene: shapes in millimetres (x along the scan from the image's left edge, y down from its
// top), each with an areal density along the beam in g/cm² and a material.

enum class ShapeKind {
    box,  ///< constant areal density over the rectangle
    ring, ///< annulus facing the beam (coil eye or tyre seen from the side), constant areal
    rod,  ///< cylinder with its axis along x: areal = density x chord; `areal` holds g/cm³
};

struct Shape {
    ShapeKind kind = ShapeKind::box;
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    double areal = 0; ///< g/cm² (g/cm³ for rods)
    Mu mu = kWater;
    double inner = 0;      ///< inner radius / outer radius for rings and rods
    bool scalable = false; ///< cargo whose density is scaled to the declared mass
};

double shape_mass_kg(const Shape& shape) {
    const double w_cm = (shape.x1 - shape.x0) / 10;
    const double h_cm = (shape.y1 - shape.y0) / 10;
    switch (shape.kind) {
    case ShapeKind::box: return shape.areal * w_cm * h_cm / 1000;
    case ShapeKind::ring: {
        const double r = w_cm / 2;
        return shape.areal * 3.141592653589793 * r * r * (1 - shape.inner * shape.inner) / 1000;
    }
    case ShapeKind::rod: {
        const double r = h_cm / 2;
        return shape.areal * 3.141592653589793 * r * r * (1 - shape.inner * shape.inner) * w_cm /
               1000;
    }
    }
    return 0;
}

/// Attenuation planes (ln I0/I at both energies) that shapes are added into, with partial
/// coverage at their edges so thin structures (a 2 mm sheet seen edge-on) keep their mass.
class Canvas {
public:
    Canvas(int width, int height, double along_mm, double detector_mm)
        : width_(width), height_(height), sx_(along_mm), sy_(detector_mm),
          low_(static_cast<std::size_t>(width) * height, 0.0F),
          high_(static_cast<std::size_t>(width) * height, 0.0F) {}

    int width() const { return width_; }
    int height() const { return height_; }
    double along_mm() const { return sx_; }
    double detector_mm() const { return sy_; }
    std::vector<float>& low() { return low_; }
    std::vector<float>& high() { return high_; }

    void add_box(double x0, double x1, double y0, double y1, double areal, Mu mu) {
        if (areal == 0 || x1 <= x0 || y1 <= y0)
            return;
        const double fx0 = x0 / sx_, fx1 = x1 / sx_, fy0 = y0 / sy_, fy1 = y1 / sy_;
        const int i0 = std::max(0, static_cast<int>(std::floor(fx0)));
        const int i1 = std::min(width_, static_cast<int>(std::ceil(fx1)));
        const int j0 = std::max(0, static_cast<int>(std::floor(fy0)));
        const int j1 = std::min(height_, static_cast<int>(std::ceil(fy1)));
        if (i0 >= i1 || j0 >= j1)
            return;
        const auto cover_x = [&](int i) {
            return std::min<double>(i + 1, fx1) - std::max<double>(i, fx0);
        };
        const float edge_left = static_cast<float>(cover_x(i0));
        const float edge_right = static_cast<float>(cover_x(i1 - 1));
        for (int j = j0; j < j1; ++j) {
            const double cover_y = std::min<double>(j + 1, fy1) - std::max<double>(j, fy0);
            const auto value = static_cast<float>(areal * cover_y);
            const float add_low = value * mu.low, add_high = value * mu.high;
            float* low = low_.data() + static_cast<std::size_t>(j) * width_;
            float* high = high_.data() + static_cast<std::size_t>(j) * width_;
            for (int i = i0 + 1; i < i1 - 1; ++i) {
                low[i] += add_low;
                high[i] += add_high;
            }
            low[i0] += add_low * edge_left;
            high[i0] += add_high * edge_left;
            if (i1 - 1 > i0) {
                low[i1 - 1] += add_low * edge_right;
                high[i1 - 1] += add_high * edge_right;
            }
        }
    }

    /// A box whose areal density varies along x: `areal(x_mm)` at each column's centre.
    void add_box_along(double x0, double x1, double y0, double y1,
                       const std::function<double(double)>& areal, Mu mu) {
        const int i0 = std::max(0, static_cast<int>(std::floor(x0 / sx_)));
        const int i1 = std::min(width_, static_cast<int>(std::ceil(x1 / sx_)));
        for (int i = i0; i < i1; ++i) {
            const double left = std::max(x0, i * sx_), right = std::min(x1, (i + 1) * sx_);
            add_box(left, right, y0, y1, areal(0.5 * (left + right)), mu);
        }
    }

    void add(const Shape& shape, double scale = 1.0) {
        const double areal = shape.areal * (shape.scalable ? scale : 1.0);
        switch (shape.kind) {
        case ShapeKind::box:
            add_box(shape.x0, shape.x1, shape.y0, shape.y1, areal, shape.mu);
            return;
        case ShapeKind::ring: {
            const double cx = 0.5 * (shape.x0 + shape.x1), cy = 0.5 * (shape.y0 + shape.y1);
            const double r_out = 0.5 * (shape.x1 - shape.x0), r_in = r_out * shape.inner;
            const int j0 = std::max(0, static_cast<int>(std::floor(shape.y0 / sy_)));
            const int j1 = std::min(height_, static_cast<int>(std::ceil(shape.y1 / sy_)));
            for (int j = j0; j < j1; ++j) {
                const double dy = (j + 0.5) * sy_ - cy;
                if (std::abs(dy) >= r_out)
                    continue;
                const double half_out = std::sqrt(r_out * r_out - dy * dy);
                const double half_in = std::abs(dy) < r_in ? std::sqrt(r_in * r_in - dy * dy) : 0;
                const double ry0 = j * sy_, ry1 = (j + 1) * sy_;
                if (half_in > 0) {
                    add_box(cx - half_out, cx - half_in, ry0, ry1, areal, shape.mu);
                    add_box(cx + half_in, cx + half_out, ry0, ry1, areal, shape.mu);
                } else {
                    add_box(cx - half_out, cx + half_out, ry0, ry1, areal, shape.mu);
                }
            }
            return;
        }
        case ShapeKind::rod: {
            const double cy = 0.5 * (shape.y0 + shape.y1);
            const double r_out = 0.5 * (shape.y1 - shape.y0), r_in = r_out * shape.inner;
            const int j0 = std::max(0, static_cast<int>(std::floor(shape.y0 / sy_)));
            const int j1 = std::min(height_, static_cast<int>(std::ceil(shape.y1 / sy_)));
            for (int j = j0; j < j1; ++j) {
                const double dy = (j + 0.5) * sy_ - cy;
                if (std::abs(dy) >= r_out)
                    continue;
                double chord_mm = 2 * std::sqrt(r_out * r_out - dy * dy);
                if (std::abs(dy) < r_in)
                    chord_mm -= 2 * std::sqrt(r_in * r_in - dy * dy);
                add_box(shape.x0, shape.x1, j * sy_, (j + 1) * sy_, areal * chord_mm / 10,
                        shape.mu);
            }
            return;
        }
        }
    }

private:
    int width_, height_;
    double sx_, sy_;
    std::vector<float> low_, high_;
};

// ---------------------------------------------------------------------------------------------
// The container

/// An ISO 668 dry container in the image, in mm. Dimensions: external lengths 6,058 / 12,192 /
/// 13,716 mm, internal width 2,352 mm, heights 2,591 mm (2,896 mm high cube), 28 mm plywood
/// floor on 122 mm cross members, end structures about 80 mm deep.
struct Geometry {
    double x0 = 0, x1 = 0;       ///< outer ends
    double top = 0, bottom = 0;  ///< outer top and bottom
    double in_x0 = 0, in_x1 = 0; ///< inner faces of the end walls
    double roof = 0;             ///< underside of the roof
    double floor = 0;            ///< top of the floor
    bool doors_right = true;
    double wall_mm = 1.6; ///< side wall sheet
};

constexpr double kInnerWidthCm = 235.2;
constexpr double kEndDepth = 80;

double container_length_mm(int length_ft) {
    if (length_ft <= 20)
        return 6'058;
    if (length_ft >= 45)
        return 13'716;
    return 12'192;
}

Geometry place_container(const ScanScenario& scenario, Rng& rng) {
    Geometry g;
    const double length = container_length_mm(scenario.length_ft);
    const bool high = scenario.high_cube || scenario.length_ft >= 45;
    g.x0 = rng.uniform(250, 330);
    g.x1 = g.x0 + length;
    g.bottom = kFieldDetectorMm - rng.uniform(130, 230);
    g.top = g.bottom - (high ? 2'896 : 2'591);
    g.doors_right = rng.chance(0.85);
    g.in_x0 = g.x0 + kEndDepth;
    g.in_x1 = g.x1 - kEndDepth;
    g.roof = g.top + 20;
    g.floor = g.bottom - 178;
    g.wall_mm = scenario.length_ft <= 20 ? 2.0 : 1.6;
    return g;
}

// Trapezoidal corrugation: flats of 72 and 70 mm, webs of 68 mm inclined at atan(36/68) to the
// wall plane, so the beam crosses 1/cos(27.9°) = 1.13 times the sheet on the webs.
double corrugation_factor(double x, double phase) {
    constexpr double kPitch = 278;
    double u = std::fmod(x + phase, kPitch);
    if (u < 0)
        u += kPitch;
    if (u < 72 || (u >= 140 && u < 210))
        return 1.0;
    return 1.131;
}

void draw_container(Canvas& canvas, const Geometry& g, Rng& rng) {
    const double edge_on_steel = kInnerWidthCm * kSteel; // a sheet spanning the width, edge-on
    // Side walls: two corrugated sheets crossed at right angles.
    const double phase = rng.uniform(0, 278);
    const double wall_areal = 2 * g.wall_mm / 10 * kSteel;
    canvas.add_box_along(
        g.in_x0, g.in_x1, g.top + 60, g.bottom - 162,
        [&](double x) { return wall_areal * corrugation_factor(x, phase); }, kIron);
    // Repair patches on the side walls.
    for (int idx = rng.integer(0, 3); idx > 0; --idx) {
        const double w = rng.uniform(200, 800), h = rng.uniform(200, 800);
        const double px = rng.uniform(g.in_x0, g.in_x1 - w);
        const double py = rng.uniform(g.roof + 60, g.floor - h);
        canvas.add_box(px, px + w, py, py + h, rng.uniform(0.15, 0.3) * kSteel, kIron);
    }
    // Top side rails: 60 x 60 x 3 mm tubes on both sides.
    canvas.add_box(g.x0, g.x1, g.top, g.top + 3, 2 * 6.0 * kSteel, kIron);
    canvas.add_box(g.x0, g.x1, g.top + 3, g.top + 57, 4 * 0.3 * kSteel, kIron);
    canvas.add_box(g.x0, g.x1, g.top + 57, g.top + 60, 2 * 6.0 * kSteel, kIron);
    // Roof: a 2 mm corrugated sheet seen edge-on, its height following the corrugation.
    const double roof_phase = rng.uniform(0, 230);
    const double sx = canvas.along_mm();
    for (double x = g.x0; x < g.x1; x += sx) {
        double u = std::fmod(x + roof_phase, 230.0) / 230.0;
        const double wave = u < 0.3 ? 0 : u < 0.5 ? (u - 0.3) / 0.2 : u < 0.8 ? 1 : (1 - u) / 0.2;
        const double y = g.top + 3 + 15 * wave;
        const double thick = (u < 0.3 || (u >= 0.5 && u < 0.8)) ? 2.0 : 2.6;
        canvas.add_box(x, std::min(x + sx, g.x1), y, y + thick, edge_on_steel, kIron);
    }
    // Bottom side rails: C-channels 162 mm high, 4.5 mm web, 48 mm flanges.
    canvas.add_box(g.x0, g.x1, g.bottom - 162, g.bottom - 157.5, 2 * 4.8 * kSteel, kIron);
    canvas.add_box(g.x0, g.x1, g.bottom - 157.5, g.bottom - 4.5, 2 * 0.45 * kSteel, kIron);
    canvas.add_box(g.x0, g.x1, g.bottom - 4.5, g.bottom, 2 * 4.8 * kSteel, kIron);
    // Floor: 28 mm plywood across the whole width, edge-on.
    canvas.add_box(g.in_x0, g.in_x1, g.floor, g.floor + 28, kInnerWidthCm * kHardwood, kCellulose);
    // Cross members: C-sections 122 x 45 x 4 mm spanning the width, every 280-320 mm.
    const double pitch = rng.uniform(280, 320);
    for (double x = g.in_x0 + rng.uniform(20, pitch); x + 45 < g.in_x1; x += pitch) {
        const double y0 = g.floor + 28, y1 = y0 + 122;
        canvas.add_box(x, x + 4, y0 + 4, y1 - 4, edge_on_steel, kIron);
        canvas.add_box(x, x + 45, y0, y0 + 4, edge_on_steel, kIron);
        canvas.add_box(x, x + 45, y1 - 4, y1, edge_on_steel, kIron);
    }
    // Lashing rings along the bottom and top rails, about every metre.
    for (double x = g.in_x0 + rng.uniform(300, 700); x + 50 < g.in_x1;
         x += rng.uniform(900, 1100)) {
        canvas.add_box(x, x + 50, g.floor - 40, g.floor - 10, 3.0 * kSteel, kIron);
        canvas.add_box(x, x + 50, g.roof + 45, g.roof + 75, 3.0 * kSteel, kIron);
    }
    // End structures: corner posts, the front wall or the doors, headers, sills, castings.
    for (const bool right : {false, true}) {
        const double outer = right ? g.x1 : g.x0;
        const double sign = right ? -1 : 1; // towards the inside
        const auto band = [&](double from, double to) {
            const double a = outer + sign * from, b = outer + sign * to;
            return std::pair{std::min(a, b), std::max(a, b)};
        };
        const auto [p0, p1] = band(0, kEndDepth);
        // Corner posts: 6 mm formed sections on both sides, with plates along the beam at the
        // outer and inner faces.
        canvas.add_box(p0, p1, g.top, g.bottom, 4 * 0.6 * kSteel, kIron);
        const auto [o0, o1] = band(0, 6);
        canvas.add_box(o0, o1, g.top, g.bottom, 2 * 11.0 * kSteel, kIron);
        const auto [n0, n1] = band(kEndDepth - 6, kEndDepth);
        canvas.add_box(n0, n1, g.top, g.bottom, 2 * 6.0 * kSteel, kIron);
        const bool doors = right == g.doors_right;
        if (doors) {
            // Two door leaves: corrugated 2 mm sheet edge-on in a 30 mm band, vertical frame
            // tubes, then four locking bars (27 mm tubes, 4 mm wall) outside the leaves.
            const auto [d0, d1] = band(8, 38);
            canvas.add_box(d0, d1, g.top + 100, g.bottom - 120,
                           0.2 * 1.2 * kInnerWidthCm / 3.0 * kSteel, kIron);
            const auto [f0, f1] = band(10, 60);
            canvas.add_box(f0, f1, g.top + 100, g.bottom - 120, 4 * 0.8 * kSteel, kIron);
            const auto [b0, b1] = band(18, 45);
            const double bar_axis = 0.5 * (b0 + b1);
            canvas.add_box_along(
                b0, b1, g.top + 130, g.bottom - 130,
                [&](double x) {
                    const double u = std::abs(x - bar_axis);
                    const double outer_r = 13.5, inner_r = 9.5;
                    if (u >= outer_r)
                        return 0.0;
                    double chord = 2 * std::sqrt(outer_r * outer_r - u * u);
                    if (u < inner_r)
                        chord -= 2 * std::sqrt(inner_r * inner_r - u * u);
                    return 4 * chord / 10 * kSteel;
                },
                kIron);
            for (const double y : {g.top + 130, g.bottom - 170}) // cams and keepers
                canvas.add_box(b0 - 5, b1 + 5, y, y + 40, 4 * 3.0 * kSteel, kIron);
        } else {
            // Front wall: 2 mm corrugated sheet edge-on, its developed length (1.2 x the width)
            // spread over a 45 mm band.
            const auto [w0, w1] = band(20, 65);
            canvas.add_box(w0, w1, g.top + 60, g.floor, 0.2 * 1.2 * kInnerWidthCm / 4.5 * kSteel,
                           kIron);
        }
        // Header and sill: rectangular tubes spanning the width, seen edge-on as outlines.
        for (const auto& [y0, y1] : {std::pair{g.top, g.top + 100}, {g.bottom - 120, g.bottom}}) {
            const auto [h0, h1] = band(0, kEndDepth);
            canvas.add_box(h0, h1, y0, y0 + 4, edge_on_steel, kIron);
            canvas.add_box(h0, h1, y1 - 4, y1, edge_on_steel, kIron);
            const auto [e0, e1] = band(0, 4);
            canvas.add_box(e0, e1, y0 + 4, y1 - 4, edge_on_steel, kIron);
            const auto [i0, i1] = band(kEndDepth - 4, kEndDepth);
            canvas.add_box(i0, i1, y0 + 4, y1 - 4, edge_on_steel, kIron);
        }
        // Corner castings: 178 x 118 mm, two per end (near and far side), cast steel.
        const auto [c0, c1] = band(0, 178);
        canvas.add_box(c0, c1, g.top, g.top + 118, 2 * 16.2 * 0.6 * kSteel, kIron);
        canvas.add_box(c0, c1, g.bottom - 118, g.bottom, 2 * 16.2 * 0.6 * kSteel, kIron);
    }
}

// ---------------------------------------------------------------------------------------------
// Cargo

/// Where a hidden object may be placed: the inside of an organic stack.
struct Host {
    double x0, x1, y0, y1;
    double density;  ///< bulk density of the stack, g/cm³
    double depth_cm; ///< along the beam
};

/// The free interior the cargo is laid into, with a raised floor where a floor compartment is.
struct Hold {
    double x0 = 0, x1 = 0; ///< usable length
    double roof = 0;       ///< highest a stack may reach (y of its top)
    double floor = 0;
    double raised_x0 = 0, raised_x1 = 0, raised_by = 0;

    double base(double a, double b) const {
        return (raised_by > 0 && b > raised_x0 && a < raised_x1) ? floor - raised_by : floor;
    }
    double height(double a, double b) const { return base(a, b) - roof; }
};

struct Product {
    double density; ///< bulk density of the packed goods, g/cm³
    Mu mu;
};

class CargoBuilder {
public:
    explicit CargoBuilder(Rng& rng) : rng_(rng) {}

    std::vector<Shape>& shapes() { return shapes_; }
    std::vector<Host>& hosts() { return hosts_; }

    void box(double x0, double x1, double y0, double y1, double areal, Mu mu, bool scalable) {
        Shape s;
        s.x0 = x0;
        s.x1 = x1;
        s.y0 = y0;
        s.y1 = y1;
        s.areal = areal;
        s.mu = mu;
        s.scalable = scalable;
        shapes_.push_back(s);
    }

    /// A wooden pallet (1.2 m along the beam per lane) under [x0, x1] standing on `base`;
    /// returns the height of its top deck.
    double pallet(double x0, double x1, double base, double depth_cm) {
        const double deck = kPalletWood * depth_cm;
        box(x0, x1, base - 22, base, 0.3 * deck, kCellulose, false); // bottom boards
        const double block = (x1 - x0) < 900 ? 80 : 100;
        for (const double bx : {x0, 0.5 * (x0 + x1 - block), x1 - block})
            box(bx, bx + block, base - 122, base - 22, 0.36 * deck, kCellulose, false);
        box(x0, x1, base - 144, base - 122, 0.85 * deck, kCellulose, false); // top deck
        return base - 144;
    }

    /// Cartons of one product stacked on [x0, x1] from `base` up to `top`, `depth_cm` deep along
    /// the beam. Carton-to-carton spread is what a side view sees after summing a few cartons
    /// along the beam; `dense_share` of the cartons hold something heavier (cans, bottles).
    double cartons(double x0, double x1, double base, double top, double depth_cm,
                   const Product& product, double dense_share, bool host) {
        const double cw = rng_.uniform(280, 600), ch = rng_.uniform(200, 450);
        const int nx = std::max(1, static_cast<int>(std::round((x1 - x0) / cw)));
        const int ny = std::max(1, static_cast<int>(std::round((base - top) / ch)));
        const double dx = (x1 - x0) / nx, dy = (base - top) / ny;
        double mass = 0;
        for (int iy = 0; iy < ny; ++iy) {
            for (int ix = 0; ix < nx; ++ix) {
                double rho = product.density * rng_.spread(0.12);
                if (rng_.chance(dense_share)) // cans, bottles, tools among lighter goods
                    rho = std::max(rho, rng_.uniform(0.6, 1.0));
                const double cx0 = x0 + ix * dx, cy1 = base - iy * dy;
                // Two items side by side inside the carton, a little different.
                const double split = cx0 + dx * rng_.uniform(0.35, 0.65);
                const double a = rho * depth_cm * rng_.spread(0.06);
                const double b = rho * depth_cm * rng_.spread(0.06);
                box(cx0 + 3, split, cy1 - dy + 3, cy1, a, product.mu, true);
                box(split, cx0 + dx, cy1 - dy + 3, cy1, b, product.mu, true);
                mass += (a * (split - cx0 - 3) + b * (cx0 + dx - split)) * (dy - 3) / 1e5;
            }
        }
        if (host)
            hosts_.push_back({x0, x1, top, base, product.density, depth_cm});
        return mass;
    }

    /// Bags (sacks of grain, sugar, coffee, fertiliser) in interlocked layers across the whole
    /// width, from `base` up to `top`.
    double bags(double x0, double x1, double base, double top, const Product& product) {
        const double layer = rng_.uniform(130, 180);
        const double depth = kInnerWidthCm * 0.95;
        double mass = 0;
        int row = 0;
        for (double y = base; y - layer >= top - 1; y -= layer, ++row) {
            double x = x0 - (row % 2 ? rng_.uniform(0, 450) : 0);
            while (x < x1) {
                const double len = rng_.uniform(450, 900);
                const double a = std::max(x, x0), b = std::min(x + len, x1);
                if (b > a) {
                    const double areal = product.density * depth * rng_.spread(0.05);
                    box(a + 10, b - 10, y - layer + 8, y, areal, product.mu, true);
                    mass += areal * (b - a - 20) * (layer - 8) / 1e5;
                }
                x += len;
            }
        }
        hosts_.push_back({x0, x1, top, base, product.density, depth});
        return mass;
    }

    /// A hollow steel housing (machine frame, appliance cabinet) with walls `wall_cm` thick,
    /// `depth_cm` along the beam, and solid parts inside.
    double housing(double x0, double x1, double y0, double y1, double depth_cm, double wall_cm,
                   int solid_parts, double part_steel_cm) {
        double mass = 0;
        const double face = 2 * wall_cm * kSteel; // front and back plates
        box(x0, x1, y0, y1, face, kIron, true);
        const double t = wall_cm * 10;
        const double side = depth_cm * kSteel * std::min(1.0, t / canvas_pixel_);
        for (const double x : {x0, x1 - std::max(t, canvas_pixel_)})
            box(x, x + std::max(t, canvas_pixel_), y0, y1, side, kIron, true);
        box(x0, x1, y0, y0 + std::max(t, 3.0), depth_cm * kSteel * std::min(1.0, t / 3.0), kIron,
            true);
        mass += shape_mass_kg(shapes_.back()) + face * (x1 - x0) * (y1 - y0) / 1e5;
        for (int idx = 0; idx < solid_parts; ++idx) {
            const double w = rng_.uniform(120, std::max(130.0, 0.5 * (x1 - x0)));
            const double h = rng_.uniform(100, std::max(110.0, 0.5 * (y1 - y0)));
            const double px = rng_.uniform(x0 + t, std::max(x0 + t, x1 - t - w));
            const double py = rng_.uniform(y0 + t, std::max(y0 + t, y1 - h));
            const double steel = part_steel_cm * rng_.spread(0.3);
            box(px, px + w, py, py + h, steel * kSteel, kIron, true);
            mass += steel * kSteel * w * h / 1e5;
        }
        return mass;
    }

    void set_pixel(double along_mm) { canvas_pixel_ = along_mm; }

private:
    Rng& rng_;
    std::vector<Shape> shapes_;
    std::vector<Host> hosts_;
    double canvas_pixel_ = 2.4;
};

// Share of cartons on a pallet of light goods that hold something dense (cans, bottles, tools):
// the legitimate dense items an analyst sees in organic loads.
constexpr double kDenseCartons = 0.025;

Product organic_product(Rng& rng) {
    switch (rng.pick(std::array<double, 7>{0.18, 0.14, 0.2, 0.14, 0.12, 0.12, 0.1})) {
    case 0: return {rng.uniform(0.15, 0.3), kCellulose};    // textiles, garments
    case 1: return {rng.uniform(0.4, 0.7), kCellulose};     // paper, stationery
    case 2: return {rng.uniform(0.25, 0.45), kWater};       // dry food
    case 3: return {rng.uniform(0.55, 0.85), kWater};       // drinks, canned food
    case 4: return {rng.uniform(0.1, 0.25), kPolyethylene}; // plastic goods, toys
    case 5: return {rng.uniform(0.15, 0.3), kPolyethylene}; // shoes, household goods
    default: return {rng.uniform(0.3, 0.5), kCellulose};    // wooden goods
    }
}

/// What lay_cargo is asked to lay.
struct CargoPlan {
    CargoClass cargo;
    LoadPattern pattern;
    double mass_kg;
};

double lay_organic_slot(CargoBuilder& b, Rng& rng, const Hold& hold, double x, double len,
                        const Product& product, int style) {
    const double base = hold.base(x, x + len);
    const double max_h = hold.base(x, x + len) - hold.roof;
    double mass = 0;
    if (style == 0) { // palletised cartons, two lanes side by side
        for (int lane = 0; lane < 2; ++lane) {
            const double depth = rng.uniform(100, 115);
            double top = b.pallet(x, x + len, base, depth);
            const double h =
                std::min(max_h - 150, rng.uniform(0.9, 1.0) * max_h * rng.uniform(0.45, 1.0));
            if (h < 250)
                continue;
            if (h > 1'300 && rng.chance(0.35)) { // double stacked: a second pallet on the first
                const double lower = rng.uniform(0.45, 0.6) * h;
                mass +=
                    b.cartons(x, x + len, top, top - lower, depth, product, kDenseCartons, true);
                top = b.pallet(x, x + len, top - lower, depth);
                mass += b.cartons(x, x + len, top, top - (h - lower - 144), depth, product,
                                  kDenseCartons, true);
            } else {
                mass += b.cartons(x, x + len, top, top - h, depth, product, kDenseCartons, true);
            }
        }
        return mass;
    }
    if (style == 1) { // floor-loaded cartons across the width, stacked to near the roof
        const double h = max_h * rng.uniform(0.75, 0.97);
        return b.cartons(x, x + len, base, base - h, kInnerWidthCm * 0.96, product, kDenseCartons,
                         true);
    }
    // bags
    const double h = max_h * rng.uniform(0.4, 0.85);
    return b.bags(x, x + len, base, base - h, {product.density, product.mu});
}

double lay_inorganic_slot(CargoBuilder& b, Rng& rng, const Hold& hold, double x, double len,
                          int style) {
    const double base = hold.base(x, x + len);
    const double max_h = base - hold.roof;
    double mass = 0;
    switch (style) {
    case 0: // ceramic tiles on pallets, one tier, two lanes
        for (int lane = 0; lane < 2; ++lane) {
            const double depth = rng.uniform(95, 110);
            const double top = b.pallet(x, x + len, base, depth);
            const double h = rng.uniform(450, 900);
            const double areal = rng.uniform(1.5, 2.0) * depth;
            b.box(x + 10, x + len - 10, top - h, top, areal, kConcrete, true);
            mass += areal * (len - 20) * h / 1e5;
        }
        return mass;
    case 1: // glass bottles and jars on pallets
        for (int lane = 0; lane < 2; ++lane) {
            const double depth = rng.uniform(100, 115);
            const double top = b.pallet(x, x + len, base, depth);
            const double h = std::min(max_h - 200, rng.uniform(1'100, 1'800));
            mass += b.cartons(x, x + len, top, top - h, depth, {rng.uniform(0.35, 0.55), kGlass},
                              0.0, false);
        }
        return mass;
    case 2: { // stone slabs standing in a crate: the beam crosses each slab
        const double h = std::min(max_h - 100, rng.uniform(1'400, 2'000));
        const int slabs = rng.integer(6, 16);
        const double areal = slabs * rng.uniform(2.0, 3.0) * 2.7;
        b.box(x + 40, x + len - 40, base - h, base - 100, areal, kConcrete, true);
        b.box(x, x + len, base - 100, base, 0.5 * 230 * 0.4, kCellulose, false); // skid
        b.box(x, x + 40, base - h, base - 100, 0.5 * 230, kCellulose, false);    // crate ends
        b.box(x + len - 40, x + len, base - h, base - 100, 0.5 * 230, kCellulose, false);
        return areal * (len - 80) * (h - 100) / 1e5;
    }
    case 3: // bags of cement or fertiliser
        return b.bags(x, x + len, base, base - max_h * rng.uniform(0.3, 0.6),
                      {rng.uniform(1.0, 1.3), kConcrete});
    default: { // aluminium profiles in bundles along the container
        double y = base;
        for (int layer = rng.integer(2, 5); layer > 0; --layer) {
            const double h = rng.uniform(250, 400);
            const double areal = rng.uniform(0.25, 0.6) * 2.7 * rng.uniform(150, 220);
            b.box(x, x + len, y - 100, y, 0.5 * 10 * 3, kCellulose, false); // dunnage
            b.box(x, x + len, y - 100 - h, y - 100, areal, kAluminium, true);
            mass += areal * len * h / 1e5;
            y -= h + 100;
            if (y - hold.roof < 400)
                break;
        }
        return mass;
    }
    }
}

double lay_metal_slot(CargoBuilder& b, Rng& rng, const Hold& hold, double x, double len, int style,
                      double slot_mass_kg) {
    const double base = hold.base(x, x + len);
    const double max_h = base - hold.roof;
    switch (style) {
    case 0: { // a steel coil on a wooden cradle, sized from its mass
        const double width_cm = rng.uniform(100, 150);
        const double inner = rng.uniform(0.3, 0.45);
        // m = ρ π/4 (OD² - ID²) w  →  OD
        const double od_cm =
            std::sqrt(slot_mass_kg * 1000 /
                      (kSteel * 3.141592653589793 / 4 * width_cm * (1 - inner * inner)));
        const double od = std::min(od_cm * 10, std::min(len, max_h - 200));
        b.box(x, x + std::min(len, od * 1.1), base - 150, base, kPalletWood * 200 * 0.5, kCellulose,
              false);
        Shape coil;
        const bool eye_to_beam = rng.chance(0.6);
        coil.kind = eye_to_beam ? ShapeKind::ring : ShapeKind::rod;
        coil.inner = inner;
        coil.mu = kIron;
        coil.scalable = true;
        if (eye_to_beam) {
            coil.x0 = x;
            coil.x1 = x + od;
            coil.areal = width_cm * kSteel;
        } else {
            coil.x0 = x;
            coil.x1 = x + std::min(len, width_cm * 10);
            coil.areal = kSteel;
        }
        coil.y1 = base - 120;
        coil.y0 = coil.y1 - od;
        b.shapes().push_back(coil);
        return shape_mass_kg(coil);
    }
    case 1: { // bundles of bars or pipes along the container, layers on dunnage
        double y = base, mass = 0;
        const double fraction = rng.chance(0.5) ? rng.uniform(0.5, 0.7) : rng.uniform(0.12, 0.3);
        for (int layer = rng.integer(1, 4); layer > 0; --layer) {
            const double h = rng.uniform(200, 450);
            const double areal = fraction * kSteel * rng.uniform(120, 200);
            for (double dx = 0; dx < len; dx += 1'000) // dunnage across the width, edge-on
                b.box(x + dx, x + dx + 100, y - 100, y, 0.5 * kInnerWidthCm, kCellulose, false);
            b.box(x, x + len, y - 100 - h, y - 100, areal, kIron, true);
            mass += areal * len * h / 1e5;
            y -= h + 100;
            if (y - hold.roof < 500)
                break;
        }
        return mass;
    }
    case 2: { // machinery in a crate
        const double h = std::min(max_h - 200, rng.uniform(900, 2'000));
        b.box(x, x + len, base - 120, base, kPalletWood * 200 * 0.4, kCellulose, false); // skid
        b.box(x, x + 25, base - h, base - 120, 2.5 * 200 * kPalletWood / 2.5, kCellulose, false);
        b.box(x + len - 25, x + len, base - h, base - 120, 2.5 * 200 * kPalletWood / 2.5,
              kCellulose, false);
        const double inset = rng.uniform(60, 200);
        return b.housing(x + inset, x + len - inset, base - h + rng.uniform(50, 300), base - 120,
                         rng.uniform(80, 180), rng.uniform(0.8, 2.5), rng.integer(1, 4),
                         rng.uniform(5, 25));
    }
    default: { // steel plates lying flat
        const double h = rng.uniform(60, 350);
        const double areal = kSteel * rng.uniform(120, 200);
        b.box(x, x + len, base - 100, base, 0.5 * kInnerWidthCm, kCellulose, false);
        b.box(x, x + len, base - 100 - h, base - 100, areal, kIron, true);
        return areal * len * h / 1e5;
    }
    }
}

double lay_appliances_slot(CargoBuilder& b, Rng& rng, const Hold& hold, double x, double len) {
    const double base = hold.base(x, x + len);
    double mass = 0;
    for (int lane = 0; lane < 2; ++lane) {
        double top = b.pallet(x, x + len, base, 100);
        for (int tier = 0; tier < 2 && top - hold.roof > 1'000; ++tier) {
            const double h = rng.uniform(800, 950);
            mass += b.housing(x + 20, x + len - 20, top - h, top - 20, rng.uniform(55, 70),
                              rng.uniform(0.06, 0.1), rng.chance(0.8) ? 1 : 0, rng.uniform(4, 12));
            top -= h;
        }
    }
    return mass;
}

double lay_tyres_slot(CargoBuilder& b, Rng& rng, const Hold& hold, double x, double len) {
    const double base = hold.base(x, x + len);
    const double d = rng.uniform(600, 800);
    double mass = 0;
    for (double cx = x; cx + d <= x + len + 1; cx += d) {
        Shape tyre;
        tyre.kind = ShapeKind::ring;
        tyre.inner = rng.uniform(0.55, 0.65);
        tyre.mu = kTyre;
        tyre.scalable = true;
        tyre.areal = 1.15 * rng.uniform(18, 26) * 0.8 * 2; // two lanes of standing tyres
        for (double y = base; y - d >= hold.roof + 100; y -= d) {
            tyre.x0 = cx;
            tyre.x1 = cx + d;
            tyre.y0 = y - d;
            tyre.y1 = y;
            b.shapes().push_back(tyre);
            mass += shape_mass_kg(tyre);
        }
    }
    return mass;
}

/// Fills the hold with cargo of the class, slot by slot from the front (a partial load anywhere,
/// heavy metal items towards the middle), until the slots' nominal mass reaches the target;
/// returns the mass laid before scaling.
double lay_cargo(CargoBuilder& b, Rng& rng, const Hold& hold, const CargoPlan& plan) {
    const double hold_len = hold.x1 - hold.x0;
    const double target = plan.mass_kg;
    // Products of this container: one to three.
    std::array<Product, 3> products{organic_product(rng), organic_product(rng),
                                    organic_product(rng)};
    const int product_count = rng.integer(1, 3);
    const int organic_style = static_cast<int>(rng.pick(std::array<double, 3>{0.55, 0.25, 0.2}));
    const int inorganic_style =
        static_cast<int>(rng.pick(std::array<double, 5>{0.35, 0.2, 0.15, 0.15, 0.15}));
    const int metal_style = static_cast<int>(rng.pick(std::array<double, 4>{0.3, 0.25, 0.3, 0.15}));

    // Slots along the container from a starting point: the front (the end opposite the doors)
    // for full loads; anywhere for a partial load; heavy metal items centred.
    struct Slot {
        double len;
        int kind; // 0 organic, 1 inorganic, 2 metal, 3 appliances, 4 tyres
        int style;
    };
    std::vector<Slot> slots;
    double planned = 0, used = 0;
    const auto slot_len = [&](int kind, int style) {
        if (kind == 2 && style == 0)
            return rng.uniform(1'500, 2'200);
        if (kind == 2 && (style == 1 || style == 3))
            return std::min(hold_len, rng.uniform(2'000, 6'000));
        if (kind == 2)
            return rng.uniform(1'000, 2'500);
        if (kind == 1 && style == 2)
            return rng.uniform(2'000, 3'000);
        if (kind == 1 && style == 4)
            return std::min(hold_len, rng.uniform(3'000, 6'000));
        if (kind == 4)
            return rng.uniform(1'400, 2'400);
        return rng.uniform(1'000, 1'220);
    };
    // Nominal mass of a slot, to know when to stop (the real mass is known after laying).
    const auto nominal = [&](int kind, int style, double len) {
        const double h = hold.height(hold.x0, hold.x1) * 0.7;
        switch (kind) {
        case 0:
            return products[0].density * (style == 2 ? 0.6 : 1.0) * 2.2 * len / 1000 * h / 1000 *
                   (style == 1 ? 1.0 : 0.75) * 1000;
        case 1: return style == 0 ? 1'400.0 * len / 1100 : style == 3 ? 3'500.0 : 1'800.0;
        case 2: return style == 0 ? std::min(12'000.0, std::max(3'000.0, target / 2.5)) : 4'000.0;
        case 3: return 350.0;
        default: return 700.0;
        }
    };
    const auto choose = [&]() -> std::pair<int, int> {
        switch (plan.cargo) {
        case CargoClass::inorganic: return {1, inorganic_style};
        case CargoClass::metal: return {2, metal_style};
        case CargoClass::mixed: {
            const auto kind = rng.pick(std::array<double, 5>{0.55, 0.1, 0.12, 0.15, 0.08});
            if (kind == 0)
                return {0, static_cast<int>(rng.pick(std::array<double, 3>{0.7, 0.2, 0.1}))};
            if (kind == 1)
                return {1, static_cast<int>(rng.pick(std::array<double, 5>{0.4, 0.4, 0, 0.2, 0}))};
            if (kind == 2)
                return {2, 2};
            return {static_cast<int>(kind), 0};
        }
        default: return {0, organic_style};
        }
    };
    while (planned < target && used < hold_len - 600) {
        const auto [kind, style] = choose();
        const double len = std::min(slot_len(kind, style), hold_len - used);
        if (len < 500)
            break;
        slots.push_back({len, kind, style});
        planned += nominal(kind, style, len);
        used += len + rng.uniform(20, 150);
    }
    if (slots.empty())
        return 0;
    double x = hold.x0 + rng.uniform(0, 50);
    const double spare = std::max(0.0, hold_len - used);
    if (plan.pattern == LoadPattern::partial || (plan.cargo == CargoClass::metal && spare > 0))
        x += rng.uniform(0, spare) *
             (plan.cargo == CargoClass::metal ? 0.5 + 0.3 * rng.uniform() : 1);
    double mass = 0;
    const double per_coil = target / static_cast<double>(std::max<std::size_t>(1, slots.size()));
    for (const auto& slot : slots) {
        if (x + slot.len > hold.x1)
            break;
        const Product& product =
            products[static_cast<std::size_t>(rng.integer(0, product_count - 1))];
        switch (slot.kind) {
        case 0: mass += lay_organic_slot(b, rng, hold, x, slot.len, product, slot.style); break;
        case 1: mass += lay_inorganic_slot(b, rng, hold, x, slot.len, slot.style); break;
        case 2:
            mass += lay_metal_slot(b, rng, hold, x, slot.len, slot.style,
                                   slot.style == 0 ? per_coil : 0);
            break;
        case 3: mass += lay_appliances_slot(b, rng, hold, x, slot.len); break;
        default: mass += lay_tyres_slot(b, rng, hold, x, slot.len); break;
        }
        x += slot.len + rng.uniform(20, 150);
    }
    return mass;
}

/// A few cartons, sacks or pallets on the floor: what a container declared empty may still hold.
double lay_few_items(CargoBuilder& b, Rng& rng, const Hold& hold, double target_kg) {
    double mass = 0;
    const bool pallets = target_kg > 250 && rng.chance(0.6);
    int guard = 0;
    while (mass < target_kg && ++guard < 40) {
        if (pallets) {
            const double len = rng.uniform(1'000, 1'200);
            const double x = rng.uniform(hold.x0, hold.x1 - len);
            const double base = hold.base(x, x + len);
            const double top = b.pallet(x, x + len, base, 110);
            const double h = rng.uniform(500, 1'600);
            mass +=
                b.cartons(x, x + len, top, top - h, 105, organic_product(rng), kDenseCartons, true);
        } else {
            const double w = rng.uniform(300, 700), h = rng.uniform(250, 600);
            const double x = rng.uniform(hold.x0, hold.x1 - w);
            const double kg = rng.uniform(8, 35);
            const double areal = kg * 1e5 / (w * h); // g/cm² giving that mass
            b.box(x, x + w, hold.base(x, x + w) - h, hold.base(x, x + w), areal,
                  rng.chance(0.5) ? kCellulose : kWater, true);
            mass += kg;
        }
    }
    return mass;
}

// ---------------------------------------------------------------------------------------------
// Concealments (threat image projection: their attenuation is added to the scene's)

struct Concealed {
    std::string detail;
    std::vector<Shape> shapes;
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0; ///< truth box, mm
    double mass_kg = 0;
};

/// Something smuggled behind a false wall or under a false floor: drugs (about 1.0-1.2 g/cm³
/// packed), cigarettes (0.2-0.3), cash or documents (0.5-0.8), weapons and ammunition.
Product compartment_contents(Rng& rng) {
    switch (rng.pick(std::array<double, 4>{0.45, 0.25, 0.15, 0.15})) {
    case 0: return {rng.uniform(0.8, 1.2), kWater};
    case 1: return {rng.uniform(0.2, 0.3), kCellulose};
    case 2: return {rng.uniform(0.5, 0.8), kCellulose};
    default:
        return {
            rng.uniform(0.6, 1.2),
            {0.7F * kIron.low + 0.3F * kCellulose.low, 0.7F * kIron.high + 0.3F * kCellulose.high}};
    }
}

void add_shape(Concealed& c, ShapeKind kind, double x0, double x1, double y0, double y1,
               double areal, Mu mu) {
    Shape s;
    s.kind = kind;
    s.x0 = x0;
    s.x1 = x1;
    s.y0 = y0;
    s.y1 = y1;
    s.areal = areal;
    s.mu = mu;
    c.shapes.push_back(s);
    c.mass_kg += shape_mass_kg(s);
}

/// A false front wall `depth` mm in front of the real one, contents behind it.
Concealed front_compartment(Rng& rng, const Geometry& g, double depth) {
    Concealed c;
    c.detail = "front_wall";
    const bool at_left = g.doors_right;
    const double inner = at_left ? g.in_x0 : g.in_x1;
    const double sheet_at = at_left ? inner + depth : inner - depth;
    const double steel = rng.chance(0.6);
    const double band = steel ? rng.uniform(25, 45) : rng.uniform(12, 18);
    const double s0 = at_left ? sheet_at : sheet_at - band;
    const double areal = steel ? rng.uniform(0.15, 0.3) * 1.2 * kInnerWidthCm / (band / 10) * kSteel
                               : kInnerWidthCm * 0.6;
    add_shape(c, ShapeKind::box, s0, s0 + band, g.roof + 40, g.floor, areal,
              steel ? kIron : kCellulose);
    const Product contents = compartment_contents(rng);
    const double fill_h = (g.floor - g.roof) * rng.uniform(0.35, 1.0);
    const double width_share = rng.uniform(0.4, 1.0);
    const double c0 = at_left ? inner + 10 : sheet_at + 10;
    const double c1 = at_left ? sheet_at - 10 : inner - 10;
    add_shape(c, ShapeKind::box, std::min(c0, c1), std::max(c0, c1), g.floor - fill_h, g.floor,
              contents.density * kInnerWidthCm * width_share, contents.mu);
    c.x0 = std::min(inner, sheet_at) - (at_left ? 0 : band);
    c.x1 = std::max(inner, sheet_at) + (at_left ? band : 0);
    c.y0 = g.roof + 40;
    c.y1 = g.floor;
    return c;
}

/// A false panel along a side wall: a steel sheet on a frame with goods behind it.
Concealed side_compartment(Rng& rng, const Geometry& g) {
    Concealed c;
    c.detail = "side_panel";
    const double len = rng.uniform(1'000, 3'500);
    const double x0 = rng.uniform(g.in_x0 + 300, g.in_x1 - 300 - len);
    const double thick_cm = rng.uniform(8, 25);
    const Product contents = compartment_contents(rng);
    const double fill_h = (g.floor - g.roof - 80) * rng.uniform(0.5, 1.0);
    add_shape(c, ShapeKind::box, x0, x0 + len, g.roof + 60, g.floor, 0.15 * kSteel, kIron);
    for (const double px : {x0, x0 + len - 40}) // frame posts: 40 x 40 x 2 mm tubes
        add_shape(c, ShapeKind::box, px, px + 40, g.roof + 60, g.floor,
                  (0.4 + 4.0 * 0.2 / 4.0) * kSteel, kIron);
    add_shape(c, ShapeKind::box, x0 + 40, x0 + len - 40, g.floor - fill_h, g.floor,
              contents.density * thick_cm, contents.mu);
    c.x0 = x0;
    c.x1 = x0 + len;
    c.y0 = g.roof + 60;
    c.y1 = g.floor;
    return c;
}

/// A false floor raised `height` mm over [x0, x1] with contents under it.
Concealed floor_compartment(Rng& rng, const Geometry& g, double x0, double x1, double height) {
    Concealed c;
    c.detail = "floor";
    const bool steel = rng.chance(0.5);
    const double cover = steel ? rng.uniform(3, 5) : rng.uniform(15, 25);
    add_shape(c, ShapeKind::box, x0, x1, g.floor - height, g.floor - height + cover,
              kInnerWidthCm * (steel ? kSteel : 0.65), steel ? kIron : kCellulose);
    // Bearers under the cover every 600 mm, and the contents between them.
    for (double x = x0; x + 50 < x1; x += 600)
        add_shape(c, ShapeKind::box, x, x + 50, g.floor - height + cover, g.floor,
                  kInnerWidthCm * 0.55, kCellulose);
    const Product contents = compartment_contents(rng);
    const double fill = rng.uniform(0.6, 1.0) * (height - cover);
    add_shape(c, ShapeKind::box, x0 + 50, x1 - 50, g.floor - fill, g.floor,
              contents.density * kInnerWidthCm * rng.uniform(0.4, 1.0), contents.mu);
    c.x0 = x0;
    c.x1 = x1;
    c.y0 = g.floor - height;
    c.y1 = g.floor;
    return c;
}

/// A dense object inside an organic stack, drawn like the small threats of the published
/// cargo-screening benchmarks (weapons and parts): steel 55% (footprint 10-40 cm, 2-12 cm of
/// solid-equivalent steel along the beam), lead-shielded containers 10% (3-10 cm of lead),
/// dense inorganic goods 20% (1.6-2.5 g/cm³, 15-35 cm), packed drugs 15% (1.0-1.3 g/cm³,
/// 20-50 cm deep: little contrast with heavy cartons, hardly visible). It displaces the cargo it
/// sits in.
Concealed dense_object(Rng& rng, const Host& host) {
    Concealed c;
    const auto type = rng.pick(std::array<double, 4>{0.55, 0.1, 0.15, 0.2});
    c.detail = std::array<const char*, 4>{"steel", "lead", "drugs", "inorganic"}[type];
    double w = 0, h = 0, depth_cm = 0, rho = 0;
    Mu mu = kIron;
    switch (type) {
    case 0: // steel: tools, weapon parts, machine parts; solid-equivalent path 2-12 cm
        w = rng.uniform(100, 400);
        h = rng.uniform(100, 400);
        depth_cm = rng.log_uniform(2, 12);
        rho = kSteel;
        break;
    case 1: // lead-shielded container
        w = rng.uniform(100, 250);
        h = rng.uniform(100, 250);
        depth_cm = rng.uniform(3, 10);
        rho = kLeadRho;
        mu = kLead;
        break;
    case 2: // packed drugs
        w = rng.uniform(200, 400);
        h = rng.uniform(150, 400);
        depth_cm = rng.uniform(20, 50);
        rho = rng.uniform(1.0, 1.3);
        mu = kWater;
        break;
    default: // dense inorganic goods
        w = rng.uniform(150, 350);
        h = rng.uniform(150, 350);
        depth_cm = rng.uniform(15, 35);
        rho = rng.uniform(1.6, 2.5);
        mu = kConcrete;
        break;
    }
    w = std::min(w, host.x1 - host.x0 - 40);
    h = std::min(h, host.y1 - host.y0 - 40);
    depth_cm = std::min(depth_cm, host.depth_cm);
    const double x0 = rng.uniform(host.x0 + 20, host.x1 - 20 - w);
    const double y0 = rng.uniform(host.y0 + 20, host.y1 - 20 - h);
    add_shape(c, ShapeKind::box, x0, x0 + w, y0, y0 + h, rho * depth_cm, mu);
    // The cargo it displaces (negative areal density: its attenuation is removed).
    Shape displaced;
    displaced.x0 = x0;
    displaced.x1 = x0 + w;
    displaced.y0 = y0;
    displaced.y1 = y0 + h;
    displaced.areal = -host.density * depth_cm;
    displaced.mu = kWater;
    c.shapes.push_back(displaced);
    c.x0 = x0;
    c.x1 = x0 + w;
    c.y0 = y0;
    c.y1 = y0 + h;
    return c;
}

// ---------------------------------------------------------------------------------------------
// Detector

/// Turns attenuation into detector counts: blur in transmission (detector and focal spot),
/// per-row gain and offset, photon and electronic noise, dead rows, 16-bit clipping.
void expose(std::vector<float>& attenuation, int width, int height, double photons, Rng& rng,
            const std::vector<float>& gain, const std::vector<float>& offset,
            const std::vector<int>& dead_rows, Image16& out) {
    cv::Mat plane(height, width, CV_32F, attenuation.data());
    plane *= -1.0;
    cv::exp(plane, plane);
    cv::GaussianBlur(plane, plane, cv::Size(5, 5), 0.8, 0.8, cv::BORDER_REPLICATE);
    out = Image16(width, height);
    const float air = kAir;
    const float quantum = static_cast<float>(kAir / photons); // digital units per photon
    constexpr float kElectronic2 = static_cast<float>(kElectronicNoise * kElectronicNoise);
    for (int y = 0; y < height; ++y) {
        const float* t = plane.ptr<float>(y);
        std::uint16_t* row = out.pixels.data() + static_cast<std::size_t>(y) * width;
        const float g = air * gain[static_cast<std::size_t>(y)];
        const float o = offset[static_cast<std::size_t>(y)];
        for (int x = 0; x < width; ++x) {
            const float signal = g * t[x];
            const float sigma = std::sqrt(signal * quantum + kElectronic2);
            const float value = signal + sigma * rng.fast_normal() + o;
            row[x] = static_cast<std::uint16_t>(std::clamp(value + 0.5F, 0.0F, 65535.0F));
        }
    }
    for (const int y : dead_rows) {
        std::uint16_t* row = out.pixels.data() + static_cast<std::size_t>(y) * width;
        for (int x = 0; x < width; ++x)
            row[x] = static_cast<std::uint16_t>(rng.integer(0, 12));
    }
}

double typical_mass(Rng& rng, CargoClass cargo, int length_ft) {
    const double cap = length_ft <= 20 ? 25'000 : 28'000;
    double mass = 0;
    switch (cargo) {
    case CargoClass::organic: mass = rng.uniform(3'000, length_ft <= 20 ? 20'000 : 22'000); break;
    case CargoClass::inorganic: mass = rng.uniform(8'000, cap); break;
    case CargoClass::metal: mass = rng.uniform(6'000, cap); break;
    default: mass = rng.uniform(3'000, 16'000); break;
    }
    return std::min(mass, cap);
}

} // namespace

const char* concealment_kind(Concealment concealment) {
    switch (concealment) {
    case Concealment::dense_object: return "dense_object";
    case Concealment::wall_compartment: return "wall_compartment";
    case Concealment::floor_compartment: return "floor_compartment";
    case Concealment::none: break;
    }
    return "none";
}

SimulatedScan simulate_scan(const ScanScenario& scenario, std::uint64_t seed, int width,
                            int height) {
    if (width < 200 || height < 50)
        throw std::invalid_argument("simulated scan of " + std::to_string(width) + " x " +
                                    std::to_string(height) +
                                    " pixels is too small (at least 200 x 50)");
    // Separate streams for the container, the concealment, the cargo and the detector, so that
    // adding a concealment leaves everything else as it was (threat image projection).
    Rng rng(seed ^ 0x5ca11e5ca11eULL);
    Rng conceal_rng(seed ^ 0xc0cea1edULL);
    Rng cargo_rng(seed ^ 0xca760ULL);
    Rng detector_rng(seed ^ 0xde7ec7ULL);
    SimulatedScan out;
    out.scenario = scenario;
    const double sx = kFieldAlongMm / width, sy = kFieldDetectorMm / height;
    Canvas canvas(width, height, sx, sy);
    const Geometry g = place_container(scenario, rng);
    draw_container(canvas, g, rng);

    // Concealment geometry first: a false front wall or floor changes where the cargo goes.
    Hold hold;
    hold.x0 = g.in_x0 + 20;
    hold.x1 = g.in_x1 - 20;
    hold.roof = g.roof + 90;
    hold.floor = g.floor;
    if (!g.doors_right) // the front is on the right: lay cargo from the right
        std::swap(hold.x0, hold.x1);
    if (hold.x0 > hold.x1)
        std::swap(hold.x0, hold.x1);
    std::vector<Concealed> concealed;
    if (scenario.concealment == Concealment::wall_compartment) {
        if (conceal_rng.chance(0.65)) {
            const double depth = conceal_rng.uniform(150, 600);
            concealed.push_back(front_compartment(conceal_rng, g, depth));
            if (g.doors_right)
                hold.x0 = g.in_x0 + depth + 60;
            else
                hold.x1 = g.in_x1 - depth - 60;
        } else {
            concealed.push_back(side_compartment(conceal_rng, g));
        }
    } else if (scenario.concealment == Concealment::floor_compartment) {
        const double inner = g.in_x1 - g.in_x0;
        const double len = conceal_rng.chance(0.2)
                               ? inner - 100
                               : conceal_rng.uniform(1'000, std::min(5'000.0, inner - 200));
        const double x0 = conceal_rng.uniform(g.in_x0 + 50, g.in_x1 - 50 - len);
        const double height_mm = conceal_rng.uniform(60, 150);
        concealed.push_back(floor_compartment(conceal_rng, g, x0, x0 + len, height_mm));
        hold.raised_x0 = x0;
        hold.raised_x1 = x0 + len;
        hold.raised_by = height_mm;
    }

    CargoBuilder builder(cargo_rng);
    builder.set_pixel(sx);
    if (!scenario.empty && scenario.cargo_mass_kg > 0) {
        // The layout follows the mass: slots are laid until their nominal mass reaches it.
        if (scenario.pattern == LoadPattern::few_items)
            lay_few_items(builder, cargo_rng, hold, scenario.cargo_mass_kg);
        else
            lay_cargo(builder, cargo_rng, hold,
                      {scenario.cargo == CargoClass::unknown ? CargoClass::mixed : scenario.cargo,
                       scenario.pattern, scenario.cargo_mass_kg});
        // Scale the goods' densities so the drawn mass is the declared cargo mass; pallets and
        // dunnage keep theirs. The side view integrates areal density, so the image holds
        // exactly this mass (what the analysis's implied mass estimates).
        double fixed = 0, scalable = 0;
        for (const auto& shape : builder.shapes())
            (shape.scalable ? scalable : fixed) += shape_mass_kg(shape);
        const double scale =
            scalable > 0 ? std::clamp((scenario.cargo_mass_kg - fixed) / scalable, 0.3, 4.0) : 1.0;
        for (const auto& shape : builder.shapes())
            canvas.add(shape, scale);
        out.rendered_cargo_mass_kg = fixed + scalable * scale;
    } else if (scenario.empty && cargo_rng.chance(0.2)) {
        // Leftover dunnage in an empty container: a plank or two on the floor.
        for (int idx = cargo_rng.integer(1, 2); idx > 0; --idx) {
            const double len = cargo_rng.uniform(800, 2'000);
            const double x = cargo_rng.uniform(g.in_x0 + 100, g.in_x1 - 100 - len);
            if (cargo_rng.chance(0.5))
                canvas.add_box(x, x + 100, g.floor - 50, g.floor, 0.55 * len / 10, kCellulose);
            else
                canvas.add_box(x, x + len, g.floor - 50, g.floor, 0.55 * 10, kCellulose);
        }
    }
    if (scenario.concealment == Concealment::dense_object) {
        std::vector<Host> hosts;
        for (const auto& host : builder.hosts())
            if (host.x1 - host.x0 > 350 && host.y1 - host.y0 > 350)
                hosts.push_back(host);
        if (hosts.empty()) // no organic stack to hide it in: put a package among the cargo
            hosts.push_back({g.in_x0 + 500, g.in_x0 + 1'500, g.floor - 1'000, g.floor, 0.0, 100});
        concealed.push_back(
            dense_object(conceal_rng, hosts[static_cast<std::size_t>(conceal_rng.integer(
                                          0, static_cast<int>(hosts.size()) - 1))]));
    }
    for (const auto& item : concealed) {
        for (const auto& shape : item.shapes)
            canvas.add(shape);
        out.concealed_mass_kg += item.mass_kg;
        out.concealment_detail = item.detail;
        AnomalyRegion truth;
        truth.x = static_cast<int>(std::floor(item.x0 / sx));
        truth.y = static_cast<int>(std::floor(item.y0 / sy));
        truth.width = std::max(1, static_cast<int>(std::ceil(item.x1 / sx)) - truth.x);
        truth.height = std::max(1, static_cast<int>(std::ceil(item.y1 / sy)) - truth.y);
        truth.score = 1;
        truth.kind = concealment_kind(scenario.concealment);
        out.truth.push_back(truth);
    }

    // Detector: per-row gain and offset left over after calibration, occasionally a dead row.
    std::vector<float> gain(static_cast<std::size_t>(height)), offset(gain.size());
    for (std::size_t y = 0; y < gain.size(); ++y) {
        gain[y] = static_cast<float>(1.0 + 0.003 * detector_rng.normal());
        offset[y] = static_cast<float>(3.0 * detector_rng.normal());
    }
    std::vector<int> dead_rows;
    if (detector_rng.chance(0.3))
        dead_rows.push_back(detector_rng.integer(0, height - 1));
    Rng noise(seed * 0x9E3779B97F4A7C15ULL + 17);
    out.scan.air = kAir;
    out.scan.along_mm = sx;
    out.scan.detector_mm = sy;
    expose(canvas.high(), width, height, kPhotonsHigh, noise, gain, offset, dead_rows,
           out.scan.high);
    for (auto& value : gain)
        value = static_cast<float>(value * (1.0 + 0.002 * detector_rng.normal()));
    expose(canvas.low(), width, height, kPhotonsLow, noise, gain, offset, dead_rows, out.scan.low);
    return out;
}

ScanScenario random_scenario(std::uint64_t seed) {
    return random_scenario(seed, ScenarioMix{});
}

ScanScenario random_scenario(std::uint64_t seed, const ScenarioMix& mix) {
    Rng rng(seed ^ 0x7363656e6172ULL);
    ScanScenario s;
    const auto length = rng.pick(std::array<double, 3>{0.38, 0.55, 0.07});
    s.length_ft = length == 0 ? 20 : length == 1 ? 40 : 45;
    s.high_cube = s.length_ft == 45 || (s.length_ft == 40 && rng.chance(0.35));
    s.cargo = static_cast<CargoClass>(
        1 + rng.pick(std::array<double, 4>{0.45, 0.15, 0.10, 0.30})); // organic..mixed
    s.cargo_mass_kg = typical_mass(rng, s.cargo, s.length_ft);
    s.pattern = rng.chance(0.12) ? LoadPattern::partial : LoadPattern::full;
    if (s.pattern == LoadPattern::partial)
        s.cargo_mass_kg *= rng.uniform(0.1, 0.4);

    const double roll = rng.uniform();
    if (roll < mix.empty) {
        s.empty = true;
        s.declared_empty = true;
        s.cargo_mass_kg = 0;
        return s;
    }
    if (roll < mix.empty + mix.empty_but_loaded) {
        s.declared_empty = true;
        const auto kind = rng.pick(std::array<double, 3>{0.35, 0.35, 0.3});
        if (kind == 0) {
            s.pattern = LoadPattern::few_items;
            s.cargo_mass_kg = rng.chance(0.5) ? rng.uniform(30, 150) : rng.uniform(150, 1'500);
            s.cargo = CargoClass::organic;
        } else if (kind == 1) {
            s.pattern = LoadPattern::partial;
            s.cargo_mass_kg = rng.uniform(500, 5'000);
        } else {
            s.empty = true;
            s.cargo_mass_kg = 0;
            s.concealment =
                rng.chance(0.5) ? Concealment::wall_compartment : Concealment::floor_compartment;
        }
        return s;
    }
    if (roll < mix.empty + mix.empty_but_loaded + mix.concealment) {
        const double kind = rng.uniform();
        if (kind < mix.dense_share) {
            s.concealment = Concealment::dense_object;
            // Hidden in organic goods: the cargo is organic, or mixed with organic stacks.
            s.cargo = rng.chance(0.8) ? CargoClass::organic : CargoClass::mixed;
            s.cargo_mass_kg = typical_mass(rng, s.cargo, s.length_ft);
            s.pattern = LoadPattern::full;
        } else if (kind < mix.dense_share + mix.wall_share) {
            s.concealment = Concealment::wall_compartment;
        } else {
            s.concealment = Concealment::floor_compartment;
        }
    }
    return s;
}

} // namespace portscreen::scanner_io

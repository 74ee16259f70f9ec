#pragma once

#include <cassert>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>

namespace portscreen::sim {

/// Mixes a 64-bit value (SplitMix64 finaliser); derives independent stream seeds from one seed.
constexpr std::uint64_t mix64(std::uint64_t value) {
    value += 0x9e3779b97f4a7c15ULL;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

/// Seed of a named stream: the same seed and name always give the same stream, and streams with
/// different names do not move together when one of them draws more numbers.
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::string_view name) {
    std::uint64_t hash = 0xcbf29ce484222325ULL; // FNV-1a
    for (char c : name)
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return mix64(seed ^ mix64(hash));
}

/// Random numbers whose values depend only on the seed. std::mt19937_64's output is fixed by the
/// standard, but the std:: distributions are not, so every distribution here is our own and
/// uses integer arithmetic or plain double operations only (no libm transcendental functions).
/// Not thread-safe: one instance per thread.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    std::uint64_t next() { return engine_(); }

    /// Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    double uniform(double low, double high) { return low + (high - low) * uniform(); }

    /// Uniform integer in [low, high], both included; modulo with rejection of the biased tail.
    std::int64_t between(std::int64_t low, std::int64_t high) {
        assert(low <= high && "empty range");
        const std::uint64_t span = static_cast<std::uint64_t>(high - low) + 1;
        if (span == 0)
            return static_cast<std::int64_t>(next());
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
        for (;;) {
            const std::uint64_t draw = next();
            if (draw < limit)
                return low + static_cast<std::int64_t>(draw % span);
        }
    }

    int between(int low, int high) {
        return static_cast<int>(
            between(static_cast<std::int64_t>(low), static_cast<std::int64_t>(high)));
    }

    std::size_t index(std::size_t size) {
        assert(size > 0 && "index into an empty range");
        return static_cast<std::size_t>(
            between(std::int64_t{0}, static_cast<std::int64_t>(size) - 1));
    }

    bool chance(double probability) { return uniform() < probability; }

    /// Approximately normal (Irwin-Hall sum of twelve uniforms), clipped to +-6 sigma by design.
    double normal(double mean, double sigma) {
        double sum = 0;
        for (int draw = 0; draw < 12; ++draw)
            sum += uniform();
        return mean + sigma * (sum - 6.0);
    }

    /// A multiplicative spread around 1: `factor(0.15)` is mostly within 0.85 to 1.15.
    double factor(double relative_sigma) {
        const double value = normal(1.0, relative_sigma / 2.0);
        return value < 0.2 ? 0.2 : value;
    }

    template <typename T> const T& pick(std::span<const T> items) {
        return items[index(items.size())];
    }

    /// Index drawn with the given non-negative weights; at least one must be positive.
    template <typename Weights> std::size_t weighted(const Weights& weights) {
        double total = 0;
        for (const auto weight : weights)
            total += static_cast<double>(weight);
        assert(total > 0 && "all weights are zero");
        double point = uniform() * total;
        std::size_t idx = 0;
        for (const auto weight : weights) {
            point -= static_cast<double>(weight);
            if (point < 0)
                return idx;
            ++idx;
        }
        return idx - 1;
    }

    /// Fisher-Yates with our own index draw, so the order is the same on every library.
    template <typename Range> void shuffle(Range& range) {
        const std::size_t size = std::size(range);
        for (std::size_t pos = size; pos > 1; --pos)
            std::swap(range[pos - 1], range[index(pos)]);
    }

private:
    std::mt19937_64 engine_;
};

} // namespace portscreen::sim

#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace portscreen {

/// How serious a problem found in an input is: an error refuses the input, a warning is
/// reported with the acknowledgement and the input is stored.
enum class Severity { error, warning };

/// One problem found in an input, with where it was found. `path` is a JSON pointer into the
/// manifest model ("/consignments/1/goods_items/0/gross_mass_kg"); `segment` is the 1-based
/// segment number in an EDIFACT interchange (0 when the input was not EDIFACT) and `position`
/// says where inside it ("element 2 component 1", "byte 812").
struct Problem {
    Severity severity = Severity::error;
    std::string code;    ///< stable machine-readable kind, e.g. "check-digit"
    std::string message; ///< lower-case sentence naming the item
    std::string path;
    unsigned segment = 0;
    std::string segment_tag;
    std::string position;
    int contrl = 0; ///< UN/EDIFACT CONTRL syntax error code (0085) when one applies

    /// "segment 25 (EQD) element 2, /containers/0/number" style text for logs.
    std::string where() const;
};

using Problems = std::vector<Problem>;

bool has_errors(const Problems& problems);

/// The value of an operation that may fail on its input, shaped like std::expected: either a
/// value or every problem found.
template <typename T> class Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Problems problems) : state_(std::move(problems)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Problems& problems() const { return std::get<Problems>(state_); }
    Problems& problems() { return std::get<Problems>(state_); }

private:
    std::variant<T, Problems> state_;
};

} // namespace portscreen

#include "tree_shap.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

// The SHAP values are Algorithm 2 (TreeSHAP, path-dependent, with EXTEND and UNWIND) of
// S. M. Lundberg, G. G. Erion and S.-I. Lee, "Consistent Individualized Feature Attribution for
// Tree Ensembles", 2018, arXiv:1802.03888. Indices here start at 0, the paper's at 1.
//
// The steps are the paper's; what is ours is how they are laid out, for about a microsecond per
// row and model of a few dozen small trees: each path is a few SIMD vectors on the stack (no
// allocation), the leaf step unwinds every element of the path at once, and each split adds its
// feature's share once instead of every leaf adding to every feature of its path.

namespace portscreen::profiling {
namespace {

// Floats in the model are read as floats: XGBoost writes each float as the shortest text that
// reads back to it, and reading that text as a double first could round differently.
using FloatJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t,
                                       std::uint64_t, float>;

/// Set in Node::feature when a missing value goes to the left child.
constexpr std::uint32_t kDefaultLeft = 0x8000'0000u;
/// The feature of the root's placeholder element and of the padding.
constexpr std::int32_t kNoFeature = -1;
/// A path holds the root's placeholder element and at most one element per level below it.
constexpr int kMaxPath = TreeExplainer::kMaxDepth + 1;

/// Four floats in one SIMD register (a GCC and Clang vector extension; it needs no particular
/// instruction set). A path of up to N elements is N / 4 of them, so each step of the algorithm
/// is a few vector instructions for all elements at once.
using Lanes = float __attribute__((vector_size(16)));
using IntLanes = std::int32_t __attribute__((vector_size(16)));
constexpr int kLanes = 4;
/// The vector and the lane of a path position (never negative, so shifts do).
constexpr int block_of(int pos) {
    return pos >> 2;
}
constexpr int lane_of(int pos) {
    return pos & 3;
}

Lanes load_lanes(const float* from) {
    Lanes lanes;
    std::memcpy(&lanes, from, sizeof lanes);
    return lanes;
}

Lanes splat(float value) {
    return Lanes{value, value, value, value};
}

float sum_lanes(Lanes lanes) {
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

/// The fractions of EXTEND and UNWIND by path length (before the step) and position, so that
/// the loops multiply instead of dividing. They are 0 where the step uses none, so that the
/// loops may run over the padding of a path.
using RatioTable = std::array<std::array<float, kMaxPath>, kMaxPath + 1>;

template <typename Ratio> constexpr RatioTable make_table(Ratio ratio) {
    RatioTable table{};
    for (int len = 0; len <= kMaxPath; ++len)
        for (int pos = 0; pos < kMaxPath; ++pos)
            table[len][pos] = ratio(len, pos);
    return table;
}

constexpr float fraction(int numerator, int denominator) {
    return static_cast<float>(numerator) / static_cast<float>(denominator);
}

// EXTEND from length l: w[i] = z * w[i] * (l-i)/(l+1) + o * w[i-1] * i/(l+1) for i < l, and the
// new element's w[l] = o * w[l-1] * l/(l+1), or 1 for the first element.
alignas(16) constexpr RatioTable kExtendRise = make_table([](int len, int pos) {
    return pos >= 1 && pos <= len ? fraction(pos, len + 1) : 0.0f;
});
alignas(16) constexpr RatioTable kExtendStay = make_table([](int len, int pos) {
    return pos < len ? fraction(len - pos, len + 1) : 0.0f;
});
/// 1 at the new element's position: keeps its weight and places its z and o.
alignas(16) constexpr RatioTable kExtendNew = make_table([](int len, int pos) {
    return pos == len ? 1.0f : 0.0f;
});
// UNWIND from length l of an element with o = 1, from j = l-2 down to 0, starting with
// n = w[l-1]: w'[j] = n * l/(j+1), then n = w[j] - w'[j] * z * (l-1-j)/l, which is
// w[j] - n * z * (l-1-j)/(j+1) with the old n.
constexpr RatioTable kUnwindRise =
    make_table([](int len, int pos) { return pos + 1 < len ? fraction(len, pos + 1) : 0.0f; });
constexpr RatioTable kUnwindCarry = make_table(
    [](int len, int pos) { return pos + 1 < len ? fraction(len - 1 - pos, pos + 1) : 0.0f; });
// UNWIND from length l of an element with o = 0: w'[j] = w[j] * l/(z * (l-1-j)).
alignas(16) constexpr RatioTable kUnwindCold = make_table([](int len, int pos) {
    return pos + 1 < len ? fraction(len, len - 1 - pos) : 0.0f;
});

/// The paper's path m, padded to N elements: element 0 is the root's placeholder, elements from
/// the path's length on are padding with weight, z and o 0. The length is kept apart, and the
/// usual steps write whole vectors: copying a path right after writing single floats into it
/// would stall the processor, which cannot forward small stores to a wide load.
template <int N> struct Path {
    static constexpr int kBlocks = N / kLanes;
    Lanes weight[kBlocks];     ///< w, see EXTEND
    Lanes zero[kBlocks];       ///< z: share of the training cover that follows the feature's splits
    Lanes one[kBlocks];        ///< o: 1 when the row follows them too, else 0
    IntLanes feature[kBlocks]; ///< d

    /// Element `pos` as single values, for the rare steps that work on one element.
    struct Element {
        float weight;
        float zero;
        float one;
        std::int32_t feature;
    };
    Element at(int pos) const {
        const int block = block_of(pos);
        const int lane = lane_of(pos);
        return {weight[block][lane], zero[block][lane], one[block][lane], feature[block][lane]};
    }
    void set(int pos, const Element& element) {
        const int block = block_of(pos);
        const int lane = lane_of(pos);
        weight[block][lane] = element.weight;
        zero[block][lane] = element.zero;
        one[block][lane] = element.one;
        feature[block][lane] = element.feature;
    }
};

/// What the leaves below a node add to each element of its path, before they are added to the
/// elements' features. Positions from the path's length on hold nothing of use.
template <int N> struct Shares {
    Lanes lanes[N / kLanes];
    float at(int pos) const { return lanes[block_of(pos)][lane_of(pos)]; }
    void set(int pos, float share) { lanes[block_of(pos)][lane_of(pos)] = share; }
};

/// EXTEND(m, pz, po, pi): `from` with `len` elements, extended by one.
template <int N>
Path<N> extend(const Path<N>& from, int len, float zero, float one, std::int32_t feature) {
    assert(len < N && "path longer than the tree is deep");
    assert((one == 0.0f || one == 1.0f) && "path-dependent one fractions are 0 or 1");
    const float* rise = kExtendRise[len].data();
    const float* stay = kExtendStay[len].data();
    const float* added = kExtendNew[len].data();
    const IntLanes features = IntLanes{feature, feature, feature, feature};
    const Lanes zeros = splat(zero);
    const Lanes ones = splat(one);
    Path<N> path;
    Lanes before = Lanes{}; // the previous block, for w[i-1]
    for (int block = 0; block < Path<N>::kBlocks; ++block) {
        const Lanes weight = from.weight[block];
        const Lanes shifted = __builtin_shufflevector(before, weight, 3, 4, 5, 6);
        const Lanes is_new = load_lanes(added + block * kLanes);
        path.weight[block] = weight * (zeros * load_lanes(stay + block * kLanes) + is_new) +
                             ones * shifted * load_lanes(rise + block * kLanes);
        path.zero[block] = from.zero[block] + is_new * zeros;
        path.one[block] = from.one[block] + is_new * ones;
        const IntLanes take = is_new != Lanes{}; // all bits set where the new element goes
        path.feature[block] = (from.feature[block] & ~take) | (features & take);
        before = weight;
    }
    return path;
}

/// UNWIND(m, i), in place, on a path of `len` elements. Only needed when a feature comes back on
/// a path, so it stays simple.
template <int N> void unwind(Path<N>& path, int len, int index) {
    const auto removed = path.at(index);
    if (removed.one != 0.0f) {
        const auto& rise = kUnwindRise[len];
        const auto& carry = kUnwindCarry[len];
        float next = path.at(len - 1).weight;
        for (int pos = len - 2; pos >= 0; --pos) {
            auto element = path.at(pos);
            const float weight = element.weight;
            element.weight = next * rise[pos];
            next = weight - next * (removed.zero * carry[pos]);
            path.set(pos, element);
        }
    } else {
        const auto& cold = kUnwindCold[len];
        for (int pos = len - 2; pos >= 0; --pos) {
            auto element = path.at(pos);
            element.weight = element.weight * cold[pos] / removed.zero;
            path.set(pos, element);
        }
    }
    // The weights stay where they are; the features with their z and o move down.
    for (int pos = index; pos + 1 < len; ++pos) {
        auto element = path.at(pos + 1);
        element.weight = path.at(pos).weight;
        path.set(pos, element);
    }
    path.set(len - 1, {0.0f, 0.0f, 0.0f, kNoFeature});
}

/// The leaf step of RECURSE: what element i of the path gets is sum(UNWIND(m, i).w) (o_i - z_i) v.
///
/// In the path-dependent algorithm every o is a product of 1s (the row follows the branch) and
/// 0s, so it is 0 or 1. For o = 0 the element's z divides out and each gets the same
/// -v Σ_j w[j] l/(l-1-j). For o = 1 the sum follows UNWIND's recurrence without writing the
/// weights, for all elements at once; the padding starts the recurrence harmlessly, as rise and
/// carry are 0 there until it reaches w[l-1].
template <int N> Shares<N> leaf_shares(const Path<N>& path, int len, float value) {
    constexpr int kBlocks = Path<N>::kBlocks;
    const float* cold = kUnwindCold[len].data();
    const auto& rise = kUnwindRise[len];
    const auto& carry = kUnwindCarry[len];
    Lanes cold_sum = Lanes{};
    for (int block = 0; block < kBlocks; ++block)
        cold_sum += path.weight[block] * load_lanes(cold + block * kLanes);
    const Lanes cold_share = splat(-sum_lanes(cold_sum) * value);

    Lanes next[kBlocks];
    Lanes total[kBlocks];
    for (int block = 0; block < kBlocks; ++block) {
        next[block] = splat(path.weight[kBlocks - 1][kLanes - 1]);
        total[block] = Lanes{};
    }
    for (int pos = N - 2; pos >= 0; --pos) {
        const Lanes weight = splat(path.weight[block_of(pos)][lane_of(pos)]);
        const Lanes rise_here = splat(rise[pos]);
        const Lanes carry_here = splat(carry[pos]);
        for (int block = 0; block < kBlocks; ++block) {
            total[block] += next[block] * rise_here;
            next[block] = weight - next[block] * (path.zero[block] * carry_here);
        }
    }
    Shares<N> shares;
    const Lanes values = splat(value);
    const Lanes ones = splat(1.0f);
    for (int block = 0; block < kBlocks; ++block) {
        const Lanes one = path.one[block];
        shares.lanes[block] =
            one * (total[block] * (ones - path.zero[block]) * values) + (ones - one) * cold_share;
    }
    return shares;
}

/// The child a row goes to, as XGBoost decides: x < split goes left, a missing value (NaN) to
/// the default side.
template <typename Node> std::uint32_t next_node(const Node& node, std::span<const float> row) {
    const float value = row[node.feature & ~kDefaultLeft];
    // Without branches: which way a row goes is as good as random, so a branch would be
    // mispredicted half the time.
    const bool missing = std::isnan(value);
    const bool default_right = (node.feature & kDefaultLeft) == 0;
    const bool right = (missing & default_right) | (!missing & !(value < node.split));
    return node.left + static_cast<std::uint32_t>(right);
}

/// Algorithm 2 for one row and trees less than N levels deep.
///
/// Instead of adding each leaf's shares to the features of its path right away, a node adds up
/// its children's shares element by element and passes them to its parent, and each split adds
/// the share of its own feature once: the same sums, with one addition to `phi` per split
/// instead of one per leaf and path element.
template <int N, typename Node> class ShapWalk {
public:
    ShapWalk(const Node* nodes, std::span<const float> row, float* phi)
        : nodes_(nodes), row_(row), phi_(phi) {}

    void run(std::uint32_t root) {
        Path<N> path;
        for (int block = 0; block < Path<N>::kBlocks; ++block) {
            path.weight[block] = Lanes{};
            path.zero[block] = Lanes{};
            path.one[block] = Lanes{};
            path.feature[block] = IntLanes{} + kNoFeature;
        }
        path.weight[0] = Lanes{1.0f, 0.0f, 0.0f, 0.0f};
        visit(root, path, 0, 1.0f, 1.0f, kNoFeature);
    }

private:
    /// RECURSE(j, m, pz, po, pi) for a split: `parent` is its parent's path of `parent_len`
    /// elements. Returns the shares of the elements of this node's path.
    Shares<N> recurse(const Node& node, const Path<N>& parent, int parent_len, float zero,
                      float one, std::int32_t feature) {
        Path<N> path = extend(parent, parent_len, zero, one, feature);
        int len = parent_len + 1;
        const std::uint32_t hot = next_node(node, row_);
        const std::uint32_t cold = hot == node.left ? node.left + 1 : node.left;
        const auto split_feature = static_cast<std::int32_t>(node.feature & ~kDefaultLeft);
        // A feature met again on the path keeps one element: its earlier fractions carry over.
        const int found = position_of(path, split_feature);
        float incoming_zero = 1.0f;
        float incoming_one = 1.0f;
        if (found != 0) {
            incoming_zero = path.at(found).zero;
            incoming_one = path.at(found).one;
            unwind(path, len, found);
            --len;
        }
        Shares<N> shares = visit(hot, path, len, incoming_zero * nodes_[hot].cover_share,
                                 incoming_one, split_feature);
        const Shares<N> cold_shares =
            visit(cold, path, len, incoming_zero * nodes_[cold].cover_share, 0.0f, split_feature);
        for (int block = 0; block < Path<N>::kBlocks; ++block)
            shares.lanes[block] += cold_shares.lanes[block];
        // The children's path is this one (after UNWIND) with the split feature at its end.
        phi_[split_feature] += shares.at(len);
        if (found != 0) {
            // Back to the positions before UNWIND; the removed element's share was just added.
            for (int pos = len; pos > found; --pos)
                shares.set(pos, shares.at(pos - 1));
            shares.set(found, 0.0f);
        }
        return shares;
    }

    /// RECURSE for a child of a split, or for the root: the leaf step, or a split.
    Shares<N> visit(std::uint32_t node_idx, const Path<N>& parent, int parent_len, float zero,
                    float one, std::int32_t feature) {
        const Node& node = nodes_[node_idx];
        if (node.left == 0)
            return leaf_shares(extend(parent, parent_len, zero, one, feature), parent_len + 1,
                               node.split);
        return recurse(node, parent, parent_len, zero, one, feature);
    }

    /// FINDFIRST(m.d, d): the position of `feature` on the path, or 0 (the root's placeholder)
    /// when it is not there. A feature is on a path at most once.
    static int position_of(const Path<N>& path, std::int32_t feature) {
        const IntLanes wanted = IntLanes{feature, feature, feature, feature};
        IntLanes found = IntLanes{};
        for (int block = 0; block < Path<N>::kBlocks; ++block) {
            const IntLanes position = IntLanes{0, 1, 2, 3} + block * kLanes; // of each lane
            found |= (path.feature[block] == wanted) & position;
        }
        return (found[0] | found[1]) | (found[2] | found[3]);
    }

    const Node* nodes_;
    std::span<const float> row_;
    float* phi_;
};

} // namespace

void TreeExplainer::contributions(std::span<const float> row, std::span<float> out) const {
    if (row.size() != num_features_ || out.size() != num_features_ + 1)
        throw std::invalid_argument("tree explainer: expects " + std::to_string(num_features_) +
                                    " features and room for " + std::to_string(num_features_ + 1) +
                                    " values, got " + std::to_string(row.size()) + " and " +
                                    std::to_string(out.size()));
    for (float& value : out)
        value = 0.0f;
    // The path width follows each tree's depth: shallow trees run on short vectors.
    ShapWalk<4, Node> walk4(nodes_.data(), row, out.data());
    ShapWalk<8, Node> walk8(nodes_.data(), row, out.data());
    ShapWalk<16, Node> walk16(nodes_.data(), row, out.data());
    ShapWalk<kMaxPath, Node> walk_max(nodes_.data(), row, out.data());
    for (const Tree& tree : trees_) {
        if (tree.depth == 0)
            continue; // a single leaf is all bias
        if (tree.depth < 4)
            walk4.run(tree.root);
        else if (tree.depth < 8)
            walk8.run(tree.root);
        else if (tree.depth < 16)
            walk16.run(tree.root);
        else
            walk_max.run(tree.root);
    }
    out[num_features_] = bias_;
}

float TreeExplainer::margin(std::span<const float> row) const {
    if (row.size() != num_features_)
        throw std::invalid_argument("tree explainer: expects " + std::to_string(num_features_) +
                                    " features, got " + std::to_string(row.size()));
    float sum = base_margin_;
    for (const Tree& tree : trees_) {
        std::uint32_t node_idx = tree.root;
        while (nodes_[node_idx].left != 0)
            node_idx = next_node(nodes_[node_idx], row);
        sum += nodes_[node_idx].split;
    }
    return sum;
}

// ---------------------------------------------------------------------------------------------
// Reading XGBoost's JSON model (schema of XGBoost 1.7: learner.gradient_booster.model.trees).

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("xgboost model: " + what);
}

const FloatJson& member(const FloatJson& object, const std::string& where, const char* key) {
    if (!object.is_object())
        fail(where + " is not an object");
    const auto found = object.find(key);
    if (found == object.end())
        fail(where + "/" + key + " is missing");
    return *found;
}

std::string string_member(const FloatJson& object, const std::string& where, const char* key) {
    const FloatJson& value = member(object, where, key);
    if (!value.is_string())
        fail(where + "/" + key + " is not a string");
    return value.get<std::string>();
}

/// A number XGBoost writes as a string, like "num_feature": "38".
template <typename Number>
Number number_in_string(const FloatJson& object, const std::string& where, const char* key) {
    const std::string text = string_member(object, where, key);
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        fail(where + "/" + key + " is '" + text + "', not a number");
    return value;
}

const FloatJson& array_member(const FloatJson& object, const std::string& where, const char* key,
                              std::size_t size) {
    const FloatJson& value = member(object, where, key);
    if (!value.is_array())
        fail(where + "/" + key + " is not an array");
    if (value.size() != size)
        fail(where + "/" + key + " has " + std::to_string(value.size()) + " entries, not " +
             std::to_string(size));
    return value;
}

std::int64_t integer_at(const FloatJson& array, const std::string& where, std::size_t idx) {
    const FloatJson& value = array[idx];
    if (!value.is_number_integer())
        fail(where + "/" + std::to_string(idx) + " is not an integer");
    return value.get<std::int64_t>();
}

float float_at(const FloatJson& array, const std::string& where, std::size_t idx) {
    const FloatJson& value = array[idx];
    if (!value.is_number())
        fail(where + "/" + std::to_string(idx) + " is not a number");
    return value.get<float>();
}

/// One tree as XGBoost stores it: parallel arrays indexed by node id.
struct RawTree {
    std::vector<std::int64_t> left;
    std::vector<std::int64_t> right;
    std::vector<std::int64_t> feature;
    std::vector<float> split; ///< threshold, or the value of a leaf
    std::vector<float> cover;
    std::vector<bool> default_left;
};

RawTree read_tree(const FloatJson& tree, const std::string& where) {
    const FloatJson& left = member(tree, where, "left_children");
    if (!left.is_array() || left.empty())
        fail(where + "/left_children is not a non-empty array");
    const std::size_t count = left.size();
    const FloatJson& right = array_member(tree, where, "right_children", count);
    const FloatJson& feature = array_member(tree, where, "split_indices", count);
    const FloatJson& split = array_member(tree, where, "split_conditions", count);
    const FloatJson& cover = array_member(tree, where, "sum_hessian", count);
    const FloatJson& default_left = array_member(tree, where, "default_left", count);
    if (const auto types = tree.find("split_type"); types != tree.end()) {
        if (!types->is_array())
            fail(where + "/split_type is not an array");
        for (std::size_t idx = 0; idx < types->size(); ++idx)
            if (integer_at(*types, where + "/split_type", idx) != 0)
                fail(where + "/split_type/" + std::to_string(idx) +
                     ": categorical splits are not supported");
    }
    RawTree raw;
    for (std::size_t idx = 0; idx < count; ++idx) {
        raw.left.push_back(integer_at(left, where + "/left_children", idx));
        raw.right.push_back(integer_at(right, where + "/right_children", idx));
        raw.feature.push_back(integer_at(feature, where + "/split_indices", idx));
        raw.split.push_back(float_at(split, where + "/split_conditions", idx));
        raw.cover.push_back(float_at(cover, where + "/sum_hessian", idx));
        const FloatJson& flag = default_left[idx];
        if (!flag.is_boolean() && !flag.is_number_integer())
            fail(where + "/default_left/" + std::to_string(idx) + " is not 0, 1 or a boolean");
        raw.default_left.push_back(flag.is_boolean() ? flag.get<bool>()
                                                     : flag.get<std::int64_t>() != 0);
    }
    return raw;
}

/// The base score is a probability for the logistic objectives; XGBoost turns it into a margin
/// in float arithmetic, as here.
float base_margin_of(float base_score, const std::string& where) {
    if (!(base_score > 0.0f && base_score < 1.0f))
        fail(where + " is " + std::to_string(base_score) +
             "; a logistic model needs a base score between 0 and 1");
    return -std::log(1.0f / base_score - 1.0f);
}

} // namespace

TreeExplainer TreeExplainer::from_xgboost_json(std::span<const std::uint8_t> model_json) {
    FloatJson doc;
    try {
        doc = FloatJson::parse(model_json.begin(), model_json.end());
    } catch (const nlohmann::json::exception& error) {
        fail(std::string("not valid JSON: ") + error.what());
    }
    const FloatJson& learner = member(doc, "", "learner");

    const std::string objective =
        string_member(member(learner, "/learner", "objective"), "/learner/objective", "name");
    if (objective != "binary:logistic" && objective != "reg:logistic")
        fail("objective '" + objective +
             "' is not supported; only binary:logistic and reg:logistic models are");
    const FloatJson& param = member(learner, "/learner", "learner_model_param");
    const std::string param_where = "/learner/learner_model_param";
    if (const auto classes = number_in_string<int>(param, param_where, "num_class"); classes > 1)
        fail(param_where + "/num_class is " + std::to_string(classes) +
             "; only models with one output are supported");
    if (param.contains("num_target") &&
        number_in_string<int>(param, param_where, "num_target") != 1)
        fail(param_where + "/num_target is not 1; only models with one output are supported");
    const auto num_features = number_in_string<std::int64_t>(param, param_where, "num_feature");
    if (num_features < 1 || num_features >= static_cast<std::int64_t>(kDefaultLeft))
        fail(param_where + "/num_feature is " + std::to_string(num_features));
    const float base_margin = base_margin_of(
        number_in_string<float>(param, param_where, "base_score"), param_where + "/base_score");

    const FloatJson& booster = member(learner, "/learner", "gradient_booster");
    const std::string booster_name = string_member(booster, "/learner/gradient_booster", "name");
    if (booster_name != "gbtree")
        fail("gradient booster '" + booster_name + "' is not supported; only gbtree is");
    const FloatJson& model = member(booster, "/learner/gradient_booster", "model");
    const std::string model_where = "/learner/gradient_booster/model";
    const FloatJson& trees = member(model, model_where, "trees");
    if (!trees.is_array())
        fail(model_where + "/trees is not an array");
    const FloatJson& tree_info = array_member(model, model_where, "tree_info", trees.size());
    for (std::size_t idx = 0; idx < tree_info.size(); ++idx)
        if (integer_at(tree_info, model_where + "/tree_info", idx) != 0)
            fail(model_where + "/tree_info/" + std::to_string(idx) +
                 " is not 0; only models with one output are supported");

    TreeExplainer explainer;
    explainer.num_features_ = static_cast<std::size_t>(num_features);
    explainer.base_margin_ = base_margin;
    std::vector<float> covers; // of explainer.nodes_, for the mean values
    float tree_means = 0;      // summed in tree order, as XGBoost sums the bias
    for (std::size_t tree_idx = 0; tree_idx < trees.size(); ++tree_idx) {
        const std::string where = model_where + "/trees/" + std::to_string(tree_idx);
        const RawTree raw = read_tree(trees[tree_idx], where);
        const auto count = static_cast<std::int64_t>(raw.left.size());
        const auto root = static_cast<std::uint32_t>(explainer.nodes_.size());
        int depth = 0;
        explainer.nodes_.push_back({});
        covers.push_back(0);
        // Depth first from node 0, placing both children of a split side by side. Nodes that
        // cannot be reached (XGBoost's deleted nodes) are left out; a node reached twice is an
        // error, which also stops cycles.
        struct Pending {
            std::int64_t source;
            std::uint32_t target;
            int depth;
            float parent_cover;
        };
        std::vector<Pending> pending{{0, root, 0, 0}};
        std::vector<bool> reached(static_cast<std::size_t>(count), false);
        reached[0] = true;
        while (!pending.empty()) {
            const Pending item = pending.back();
            pending.pop_back();
            const auto source = static_cast<std::size_t>(item.source);
            const std::string node_where = where + " node " + std::to_string(item.source);
            const float cover = raw.cover[source];
            const float split = raw.split[source];
            // A split's cover divides its children's; a leaf's may be 0.
            if (!std::isfinite(cover) || cover < 0.0f)
                fail(node_where + ": cover (sum_hessian) " + std::to_string(cover) +
                     " is not a finite number of at least 0");
            covers[item.target] = cover;
            const float cover_share = item.depth == 0 ? 1.0f : cover / item.parent_cover;
            if (raw.left[source] == -1 && raw.right[source] == -1) {
                if (!std::isfinite(split))
                    fail(node_where + ": leaf value is not finite");
                explainer.nodes_[item.target] = {split, cover_share, 0, 0};
                depth = std::max(depth, item.depth);
                continue;
            }
            if (!(cover > 0.0f))
                fail(node_where + ": a split's cover (sum_hessian) must be positive, not 0");
            for (const std::int64_t child : {raw.left[source], raw.right[source]}) {
                if (child < 1 || child >= count)
                    fail(node_where + ": child " + std::to_string(child) +
                         " is not a node of the tree (" + std::to_string(count) + " nodes)");
                if (reached[static_cast<std::size_t>(child)])
                    fail(node_where + ": child " + std::to_string(child) +
                         " is reached twice; the nodes do not form a tree");
                reached[static_cast<std::size_t>(child)] = true;
            }
            if (raw.feature[source] < 0 || raw.feature[source] >= num_features)
                fail(node_where + ": split feature " + std::to_string(raw.feature[source]) +
                     " is not one of the model's " + std::to_string(num_features) + " features");
            if (std::isnan(split))
                fail(node_where + ": split condition is not a number");
            if (item.depth + 1 > kMaxDepth)
                fail(where + " is deeper than " + std::to_string(kMaxDepth) +
                     " levels, the most supported");
            const auto left = static_cast<std::uint32_t>(explainer.nodes_.size());
            const std::uint32_t feature = static_cast<std::uint32_t>(raw.feature[source]) |
                                          (raw.default_left[source] ? kDefaultLeft : 0u);
            explainer.nodes_[item.target] = {split, cover_share, feature, left};
            explainer.nodes_.resize(explainer.nodes_.size() + 2);
            covers.resize(explainer.nodes_.size());
            pending.push_back({raw.right[source], left + 1, item.depth + 1, cover});
            pending.push_back({raw.left[source], left, item.depth + 1, cover});
        }
        explainer.trees_.push_back({root, depth});
        explainer.max_depth_ = std::max(explainer.max_depth_, depth);
        tree_means += explainer.mean_value(root, covers);
    }
    explainer.bias_ = tree_means + base_margin;
    return explainer;
}

float TreeExplainer::mean_value(std::uint32_t node_idx, const std::vector<float>& covers) const {
    // As XGBoost computes it for the bias: children weighted by their covers, divided by the
    // node's own cover.
    const Node& node = nodes_[node_idx];
    if (node.left == 0)
        return node.split;
    float sum = mean_value(node.left, covers) * covers[node.left];
    sum += mean_value(node.left + 1, covers) * covers[node.left + 1];
    return sum / covers[node_idx];
}

} // namespace portscreen::profiling

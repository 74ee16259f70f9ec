#include "tree_shap.hpp"
#include <gtest/gtest.h>
TEST(TreeExplainer, Placeholder) {}

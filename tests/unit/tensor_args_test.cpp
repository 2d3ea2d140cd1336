// The CLI's tensor-name arguments (tools/tensor_args.h): --shape and --constant-input
// syntax, [NAME=]FILE with names holding '=', and the reversible name -> file name escaping.
#include "tools/tensor_args.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace fusedinf::tools {
namespace {

TEST(TensorArgsTest, ShapeArgs) {
  auto a = parse_shape_arg("x=1,3,224,224");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->first, "x");
  EXPECT_EQ(a->second, (Shape{1, 3, 224, 224}));
  auto scalar = parse_shape_arg("sr=");
  ASSERT_TRUE(scalar.is_ok());
  EXPECT_TRUE(scalar->second.empty());
  auto eq = parse_shape_arg("a=b:0=2,0");  // the name is before the last '='
  ASSERT_TRUE(eq.is_ok());
  EXPECT_EQ(eq->first, "a=b:0");
  EXPECT_EQ(eq->second, (Shape{2, 0}));
  for (const char* bad : {"x", "=1,2", "x=1,,2", "x=1,-1", "x=a", "x=1,2,", "x=1.5"})
    EXPECT_FALSE(parse_shape_arg(bad).is_ok()) << bad;
  EXPECT_NE(parse_shape_arg("x=1,-1").status().message().find("dim '-1' is not an integer >= 0"), std::string::npos);
}

TEST(TensorArgsTest, ConstantArgs) {
  auto a = parse_constant_arg("sr=16000");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->first, "sr");
  EXPECT_EQ(a->second, (std::vector<std::string>{"16000"}));
  auto list = parse_constant_arg("v=1,-2.5,3");
  ASSERT_TRUE(list.is_ok());
  EXPECT_EQ(list->second.size(), 3u);
  for (const char* bad : {"sr", "sr=", "sr=1,,2", "=3"}) EXPECT_FALSE(parse_constant_arg(bad).is_ok()) << bad;
}

TEST(TensorArgsTest, NamedFileArgsMatchNamesHoldingEquals) {
  const std::vector<std::string> names = {"x", "a=b", "a", "save_infer_model/scale_0.tmp_1"};
  auto split = [&](const std::string& arg) { return split_tensor_arg(arg, names, "output"); };
  EXPECT_EQ(*split("x=f.npy"), (std::pair<std::string, std::string>{"x", "f.npy"}));
  EXPECT_EQ(*split("a=b=f.npy"), (std::pair<std::string, std::string>{"a=b", "f.npy"}));  // longest name
  EXPECT_EQ(*split("a=dir=x.npy"), (std::pair<std::string, std::string>{"a", "dir=x.npy"}));
  EXPECT_EQ(split("save_infer_model/scale_0.tmp_1=o.npy")->first, "save_infer_model/scale_0.tmp_1");
  EXPECT_EQ(*split("plain.npy"), (std::pair<std::string, std::string>{"", "plain.npy"}));
  auto unknown = split("nope=f.npy");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().message(), "output 'nope' is not a name of the model");
}

TEST(TensorArgsTest, EscapingExamples) {
  EXPECT_EQ(escape_tensor_name("save_infer_model/scale_0.tmp_1"), "save_infer_model%2Fscale_0.tmp_1");
  EXPECT_EQ(escape_tensor_name("a:0 b"), "a%3A0%20b");
  EXPECT_EQ(escape_tensor_name("100%"), "100%25");
  EXPECT_EQ(escape_tensor_name("é"), "%C3%A9");
  EXPECT_EQ(escape_tensor_name("."), "%2E");
  EXPECT_EQ(escape_tensor_name(".."), "%2E.");
  EXPECT_EQ(escape_tensor_name(".hidden"), "%2Ehidden");
  EXPECT_EQ(escape_tensor_name("a\\b"), "a%5Cb");
  EXPECT_EQ(escape_tensor_name("output"), "output");
  EXPECT_EQ(escape_tensor_name(""), "%");
  EXPECT_FALSE(unescape_tensor_name("a%2").is_ok());
  EXPECT_FALSE(unescape_tensor_name("a%zz").is_ok());
  EXPECT_EQ(*unescape_tensor_name("a%3a0"), "a:0");  // lower-case hex read too
}

TEST(TensorArgsTest, EscapingIsReversibleAndSafeOnRandomNames) {
  std::mt19937 rng(5);
  std::set<std::string> stems;
  std::set<std::string> names;
  const std::string alphabet = "aZ09._-/\\:% =\xC3\xA9\x01\x7F";
  for (int trial = 0; trial < 5000; ++trial) {
    std::string name;
    const int len = static_cast<int>(rng() % 8);
    for (int i = 0; i < len; ++i) name += alphabet[rng() % alphabet.size()];
    if (!names.insert(name).second) continue;
    const std::string stem = escape_tensor_name(name);
    EXPECT_TRUE(stems.insert(stem).second) << "two names escape to " << stem;
    EXPECT_EQ(stem.find('/'), std::string::npos);
    EXPECT_EQ(stem.find('\\'), std::string::npos);
    EXPECT_NE(stem, ".");
    EXPECT_NE(stem, "..");
    EXPECT_FALSE(stem.empty());
    EXPECT_NE(stem[0], '.');
    for (char c : stem) EXPECT_TRUE(c > 32 && c < 127) << stem;
    auto back = unescape_tensor_name(stem);
    ASSERT_TRUE(back.is_ok()) << stem;
    EXPECT_EQ(*back, name);
  }
}

}  // namespace
}  // namespace fusedinf::tools

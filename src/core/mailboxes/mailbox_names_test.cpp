#include "core/mailboxes/mailbox_names.h"

#include <gtest/gtest.h>

#include <set>

#include "base/crypto.h"

namespace mailjuke::core {
namespace {

TEST(LocalPart, AcceptsDotAtomsAndLowerCases) {
  EXPECT_EQ(*parseLocalPart("local_part", "John.Doe"), "john.doe");
  EXPECT_EQ(*parseLocalPart("local_part", "a"), "a");
  EXPECT_EQ(*parseLocalPart("local_part", "x!#$%&'*+-/=?^_`{|}~y"), "x!#$%&'*+-/=?^_`{|}~y");
  EXPECT_TRUE(parseLocalPart("local_part", std::string(64, 'a')).ok());
}

TEST(LocalPart, RejectsWithTheField) {
  for (std::string bad :
       std::vector<std::string>{"", ".john", "john.", "jo..hn", "jo hn", "jo\"hn", "jo@hn", "jo,hn",
                                "jo(hn)", "jöhn", "jo\\hn", std::string(65, 'a'), "tab\there"}) {
    auto r = parseLocalPart("local_part", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().fields.at(0).field, "local_part") << bad;
  }
}

TEST(MailAddress, ValidatesForwardTargets) {
  EXPECT_EQ(*parseMailAddress("forward_to", "Boss@Example.COM"), "boss@example.com");
  EXPECT_TRUE(parseMailAddress("forward_to", "a.b+tag@sub.example.co.uk").ok());
  for (const char* bad : {"nobody", "@example.com", "a@", "a@localhost", "a@1.2.3.4", "a@-x.com",
                          "a b@example.com", "a@exa mple.com", "a@xn--.com."})
    EXPECT_FALSE(parseMailAddress("forward_to", bad).ok()) << bad;
}

TEST(MailboxPassword, RulesAndGeneration) {
  EXPECT_TRUE(validateMailboxPassword("password", "correct horse battery").ok());
  EXPECT_FALSE(validateMailboxPassword("password", "short").ok());
  EXPECT_FALSE(validateMailboxPassword("password", std::string(129, 'x')).ok());
  EXPECT_FALSE(validateMailboxPassword("password", "=cmd|' /C calc'!A0").ok());
  EXPECT_FALSE(validateMailboxPassword("password", "line\nbreak-password").ok());
  crypto::init();
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto pw = generateMailboxPassword();
    EXPECT_EQ(pw.size(), 24u);
    EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(pw[0])));
    EXPECT_TRUE(validateMailboxPassword("password", pw).ok());
    seen.insert(pw);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(NamePatterns, EveryPatternWithTransliteration) {
  auto lp = [](const char* pattern, const char* f, const char* l) {
    return patternLocalPart(*parseNamePattern(pattern), f, l);
  };
  EXPECT_EQ(lp("first", "John", "Doe"), "john");
  EXPECT_EQ(lp("first.last", "John", "Doe"), "john.doe");
  EXPECT_EQ(lp("firstlast", "John", "Doe"), "johndoe");
  EXPECT_EQ(lp("flast", "John", "Doe"), "jdoe");
  EXPECT_EQ(lp("f.last", "John", "Doe"), "j.doe");
  EXPECT_EQ(lp("first_l", "John", "Doe"), "john_d");
  EXPECT_EQ(lp("first.last", "José", "Müller-Lüdenscheidt"), "jose.mullerludenscheidt");
  EXPECT_EQ(lp("first.last", "Łukasz", "Żółć"), "lukasz.zolc");
  EXPECT_EQ(lp("first.last", "Søren", "Æbelø"), "soren.aebelo");
  EXPECT_EQ(lp("firstlast", "Mary Ann", "O'Brien"), "maryannobrien");
  EXPECT_EQ(lp("first.last", "Jürgen", "Straße"), "jurgen.strasse");
  EXPECT_EQ(lp("first.last", "Cher", ""), "cher");
  EXPECT_EQ(lp("first_l", "Cher", ""), "cher");
  EXPECT_EQ(lp("first.last", "李", "王"), "");  // no Latin letters: no address
  EXPECT_EQ(lp("firstlast", std::string(40, 'a').c_str(), std::string(40, 'b').c_str()).size(),
            64u);
  EXPECT_FALSE(parseNamePattern("last.first").has_value());
  for (const auto& name : namePatternNames()) {
    auto out = lp(name.c_str(), "Ann", "Lee");
    EXPECT_TRUE(parseLocalPart("x", out).ok()) << name << " " << out;
  }
}

TEST(PlanAddresses, SkipsTakenAddressesDeterministically) {
  std::vector<Person> people = {{"John", "Doe"}, {"Jane", "Roe"}, {"John", "Smith"}};
  auto plan = planAddresses(NamePattern::kFirst, people, 5, {"jane"});
  ASSERT_EQ(plan.size(), 5u);
  // Round 0: john (person 0); jane taken; john again (duplicate) skipped.
  // Round 1: john2 (0), jane2 (1), john3? no: person 2 is "john" → john2 taken → skipped.
  // Round 2: john3 (0), jane3 (1).
  EXPECT_EQ(plan[0].local_part, "john");
  EXPECT_EQ(plan[0].person, 0u);
  EXPECT_EQ(plan[1].local_part, "john2");
  EXPECT_EQ(plan[2].local_part, "jane2");
  EXPECT_EQ(plan[2].person, 1u);
  EXPECT_EQ(plan[3].local_part, "john3");
  EXPECT_EQ(plan[4].local_part, "jane3");
  // Same input, same plan.
  auto again = planAddresses(NamePattern::kFirst, people, 5, {"jane"});
  for (size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(again[i].local_part, plan[i].local_part);
}

TEST(PlanAddresses, PeopleInOrderThenSuffixes) {
  std::vector<Person> people = {{"Ann", "Lee"}, {"Bob", "Ray"}};
  auto plan = planAddresses(NamePattern::kFirstDotLast, people, 3, {"bob.ray"});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].local_part, "ann.lee");
  EXPECT_EQ(plan[1].local_part, "ann.lee2");
  EXPECT_EQ(plan[2].local_part, "bob.ray2");
  EXPECT_TRUE(planAddresses(NamePattern::kFirst, {{"李", "王"}}, 3, {}).empty());
  // A long base is shortened so the suffix still fits in 64 octets.
  auto longer = planAddresses(NamePattern::kFirst, {{std::string(64, 'a'), ""}}, 2, {});
  ASSERT_EQ(longer.size(), 2u);
  EXPECT_EQ(longer[1].local_part, std::string(63, 'a') + "2");
}

}  // namespace
}  // namespace mailjuke::core

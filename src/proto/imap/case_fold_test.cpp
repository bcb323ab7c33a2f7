#include "proto/imap/case_fold.h"

#include <gtest/gtest.h>

namespace mailjuke::imap {
namespace {

TEST(CaseFold, FoldsAsciiLatin1AndLatinExtendedA) {
  EXPECT_EQ(foldCase("Hello WORLD 123"), "hello world 123");
  EXPECT_EQ(foldCase("ÄRGER ÖL ÜBER ÀÉÎÕÇØÞ"), "ärger öl über àéîõçøþ");
  EXPECT_EQ(foldCase("×÷"), "×÷");  // multiplication/division signs are not letters
  EXPECT_EQ(foldCase("ŁÓDŹ ŻÓŁW ŚĆŃĘĄ"), "łódź żółw śćńęą");
  EXPECT_EQ(foldCase("ČŘŠŽŮĚŇŤĎ ŐŰ ĞŞ"), "čřšžůěňťď őű ğş");
  EXPECT_EQ(foldCase("Ÿ"), "ÿ");
  EXPECT_EQ(foldCase("ſ"), "s");
  // One-to-many folds are not simple folds: ß stays, capital sharp s folds to ß.
  EXPECT_EQ(foldCase("STRAẞE straße"), "straße straße");
  EXPECT_EQ(foldCase("ẠẾỆ"), "ạếệ");  // Latin Extended Additional (Vietnamese)
}

TEST(CaseFold, FoldsGreekIncludingFinalSigma) {
  EXPECT_EQ(foldCase("ΣΟΦΙΑ"), "σοφια");
  EXPECT_EQ(foldCase("ΆΈΉΊΌΎΏ"), "άέήίόύώ");
  EXPECT_EQ(foldCase("λόγος"), "λόγοσ");  // ς and σ are the same letter
  EXPECT_EQ(foldCase("µ"), "μ");          // MICRO SIGN → mu
}

TEST(CaseFold, FoldsCyrillicAndOthers) {
  EXPECT_EQ(foldCase("ПРИВЕТ МИР"), "привет мир");
  EXPECT_EQ(foldCase("ЁЖЩЪЫЭЮЯ ЄІЇЎЂЉЊЋЏ"), "ёжщъыэюя єіїўђљњћџ");
  EXPECT_EQ(foldCase("ҐҒӘӨҮҰ"), "ґғәөүұ");
  EXPECT_EQ(foldCase("ԱՐԱՄ"), "արամ");      // Armenian
  EXPECT_EQ(foldCase("ＡＢＣ"), "ａｂｃ");  // fullwidth
  EXPECT_EQ(foldCodePoint(0x212A), U'k');   // KELVIN SIGN
  EXPECT_EQ(foldCase("日本語 😀"), "日本語 😀");
}

TEST(CaseFold, LeavesInvalidUtf8Alone) {
  const std::string bad = "A\xC3\x28 \xFF\xC0\xAF \xED\xA0\x80 \xE2\x82";
  EXPECT_EQ(foldCase(bad), "a\xC3\x28 \xFF\xC0\xAF \xED\xA0\x80 \xE2\x82");
  EXPECT_EQ(foldCase(""), "");
}

TEST(CaseFold, ContainsFoldedMatchesBothWays) {
  EXPECT_TRUE(containsFolded("Re: Ärger im Büro", "ärger"));
  EXPECT_TRUE(containsFolded("Re: ärger im büro", "ÄRGER IM BÜRO"));
  EXPECT_TRUE(containsFolded("Η ΣΟΦΙΑ ΤΟΥ", "σοφια"));
  EXPECT_TRUE(containsFolded("σοφία", "ΣΟΦΊΑ"));
  EXPECT_TRUE(containsFolded("Счёт № 5", "СЧЁТ"));
  EXPECT_TRUE(containsFolded("Quick Brown", "QUICK b"));
  EXPECT_TRUE(containsFolded("anything", ""));
  EXPECT_FALSE(containsFolded("ärger", "ÄRGERN"));
  EXPECT_FALSE(containsFolded("σοφια", "σοφιαν"));
  EXPECT_FALSE(containsFolded("abc", "abd"));
  EXPECT_FALSE(containsFolded("", "x"));
}

}  // namespace
}  // namespace mailjuke::imap

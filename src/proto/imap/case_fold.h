// Unicode simple case folding for SEARCH string matching (RFC 9051 §6.4.4: "matching is
// case-insensitive"; RFC 3501 §6.4.4 the same). Pure, table-free code for the scripts mail in
// Europe and around it uses: ASCII, Latin-1 Supplement, Latin Extended-A, Latin Extended
// Additional, Greek and Coptic, Cyrillic (+ Supplement), Armenian and the fullwidth Latin letters,
// per the "C" and "S" rows of Unicode's CaseFolding.txt (no one-to-many folds: "ß" stays "ß",
// "ẞ" folds to "ß"). Other code points and bytes that are not UTF-8 pass through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace mailjuke::imap {

// The simple case fold of one code point (the code point itself when it has none).
char32_t foldCodePoint(char32_t c);

// `text` with every UTF-8 code point folded (ASCII A–Z to a–z); invalid bytes copied as they are.
std::string foldCase(std::string_view text);

// Whether `needle` occurs in `hay` disregarding case (an empty needle is always found). An
// ASCII needle is compared byte by byte with ASCII folding only, without copying `hay` (the
// common case; the few non-ASCII letters that fold into ASCII, U+017F "ſ" and U+212A KELVIN
// SIGN, are then not matched).
bool containsFolded(std::string_view hay, std::string_view needle);

}  // namespace mailjuke::imap

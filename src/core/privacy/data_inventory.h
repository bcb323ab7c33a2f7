// The data inventory: every table and column MailJuke stores, what personal data it holds, whose,
// why, on which legal basis (GDPR Art. 6), for how long, and what erasure does to it. One source
// of truth for the Art. 30 records, the privacy page, exports, erasure and retention jobs; a
// unit test fails when a migration adds a column this inventory does not describe.
#pragma once

#include <string_view>
#include <vector>

namespace mailjuke::core::privacy {

enum class Category {
  kNotPersonal,  // ids, counters, settings, hashes of secrets that identify nobody by themselves
  kAccount,
  kContact,
  kBilling,
  kPayment,
  kDevice,
  kUsage,
  kContent,
  kSupport,
  kSecurity,
};

enum class LegalBasis { kContract, kLegitimateInterests, kConsent, kLegalObligation };

// Policy §2: MailJuke decides (controller) or acts on a customer's instructions (processor).
enum class Role { kController, kProcessor };

enum class Erase {
  kNone,              // not personal: nothing to erase
  kDelete,            // the row goes with the person (or their workspace)
  kNull,              // the column is cleared, the row stays
  kPseudonymise,      // replaced by an HMAC so statistics and audit chains stay intact
  kRetainRestricted,  // kept, access-restricted, until the legal retention ends
};

struct ColumnUse {
  std::string_view column;
  Category category;
  Erase erase;
};

struct TableUse {
  std::string_view table;
  std::string_view identifies;  // whose data this is ("" when nobody's)
  Role role;
  std::string_view purpose;
  LegalBasis basis;
  std::string_view retention;      // the rule, as people read it
  std::vector<ColumnUse> columns;  // every column of the table, personal or not
};

const std::vector<TableUse>& dataInventory();
const char* categoryName(Category c);
const char* legalBasisName(LegalBasis b);
const char* eraseName(Erase e);

}  // namespace mailjuke::core::privacy

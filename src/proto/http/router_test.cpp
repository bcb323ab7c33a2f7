#include "proto/http/router.h"

#include <gtest/gtest.h>

namespace mailjuke::http {
namespace {
struct R {
  std::string method, pattern;
};

TEST(Router, MatchesParamsAndMethods) {
  Router<R> router;
  router.add({"GET", "/api/v1/workspaces/{ws}"});
  router.add({"DELETE", "/api/v1/workspaces/{ws}/members/{mem}"});
  auto m = router.match("GET", "/api/v1/workspaces/ws_1");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params["ws"], "ws_1");
  auto d = router.match("DELETE", "/api/v1/workspaces/a/members/b");
  ASSERT_TRUE(d.route);
  EXPECT_EQ(d.params["mem"], "b");
  auto wrong = router.match("POST", "/api/v1/workspaces/ws_1");
  EXPECT_FALSE(wrong.route);
  EXPECT_TRUE(wrong.path_matched);
  EXPECT_FALSE(router.match("GET", "/api/v1/nothing").path_matched);
  EXPECT_FALSE(router.match("GET", "/api/v1/workspaces/").route);
}
}  // namespace
}  // namespace mailjuke::http

// The privacy policy MailJuke ships with (shared/seed/privacy-policy.txt, "Last updated: April
// 2026"), seeded as the first policy version at first start when no file is configured.
#include "core/privacy/policy.h"

namespace mailjuke::core::privacy {

const char* const kSeedPolicyVersion = "2026-04";
const char* const kSeedPolicyEffective = "2026-04-01T00:00:00Z";
const char* const kSeedPolicyText = R"POLICY(← Back to home

Privacy Policy

Last updated: April 2026

Here is how MailJuke collects and uses personal data, who we share it with, and the choices available to you.

1. What this policy covers

This Privacy Policy describes how MailJuke handles personal data when you use our website, marketing pages, dashboard, APIs, and related services.

It applies when you create an account, buy a plan, connect a third-party tool, contact support, or otherwise interact with us.

Third-party sites and apps have their own privacy policies. This document does not cover them.

2. When we act as controller vs processor

Sometimes MailJuke decides how to use data, for example for billing, security, product analytics, and running the service. In those cases we act as a data controller.

Sometimes we process data only on your instructions, such as customer content inside a workspace you control. In those cases we act as a processor or service provider.

If you joined through a company workspace, that organization usually controls the business data stored there.

3. Data we collect

From you directly: name, email, billing details, support messages, and configuration for domains, DNS, mailboxes, and workspace settings.

Automatically: device and browser type, IP address, usage events, logs, diagnostics, and cookie-related signals.

From partners: payment processors, analytics vendors, security tools, and services you connect with OAuth or API keys.

Inside workspaces: owners and admins may see activity and settings allowed by their role.

4. How we use data

Run the product: accounts, provisioning, DNS, email setup, and day-to-day features you pay for.

Bill you: subscriptions, renewals, invoices, wallet or credit features, and fraud checks.

Keep things safe: abuse detection, enforcing terms, and protecting users and infrastructure.

Support you: answer tickets and improve how we explain setup steps.

Improve the service: analytics, testing, reliability work, and performance tuning.

Communicate with you: billing notices, security alerts, service changes, and policy updates. We may send marketing email where the law allows and you can opt out.

5. Legal bases (EEA, UK, Switzerland)

Where those laws apply, we rely on contract performance, legitimate interests, consent, and legal obligation, depending on the activity.

6. Who we share data with

Vendors that host infrastructure, process payments, send email, provide analytics, monitor security, or help with fraud prevention.

Third-party tools you connect, when sharing is required to make the integration work.

People inside your workspace who have admin or team permissions.

Authorities, lawyers, or acquirers when the law requires it, to handle disputes, protect rights, or complete a merger or sale.

Aggregated or de-identified data for product and business analysis where the law permits.

7. Cookies

We and our vendors use cookies and similar tech for login sessions, security, preferences, analytics, and performance.

Where required, we ask for consent before non-essential cookies. You can also block or delete cookies in your browser.

8. Retention and cross-border transfers

We keep personal data as long as we need it to run the service, meet legal duties, fight fraud, and resolve disputes.

Data may be stored or processed in countries other than where you live. When we transfer data internationally, we use safeguards required by applicable law.

9. Security

We use administrative, technical, and organizational measures such as access controls, monitoring, and security reviews.

No online service can promise perfect security. Transmission and storage always carry some risk.

10. Your rights

Depending on where you live, you may ask for access, correction, deletion, restriction, objection, portability, or to withdraw consent.

You may also complain to your local regulator. We may verify your identity before fulfilling a request.

11. Children

MailJuke is for business users. We do not knowingly collect data from children.

12. Changes and contact

We may update this policy. Material changes will be reflected in the date above and, where required, additional notice.

Privacy questions or requests: admin@mailjuke.com)POLICY";

}  // namespace mailjuke::core::privacy

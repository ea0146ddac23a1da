/** The terms of service a district accepts when it registers; the version is set in the router's configuration. */
export const TERMS_OF_SERVICE = `OPEN RECORDS EXCHANGE — TERMS OF SERVICE

1. Acceptance. By registering a district node with this router you accept these terms on behalf of your district.
2. Purpose. The exchange carries student records between educational agencies where a student seeks or intends
   to enroll (34 CFR 99.31(a)(2)). Use it for no other purpose.
3. Your obligations. Keep the information you register accurate and current; keep your node's private key, user
   rights, passwords and credentials secure; tell the router operator at once of any unauthorized use or breach.
   You are responsible for every disclosure made from your node, and for keeping its disclosure log.
4. The router. The router verifies signatures and data-access rights and forwards sealed messages. It never holds
   readable student data. It is provided as is, without warranty of uninterrupted or error-free service.
5. Withdrawal. You may withdraw at any time; the operator may revoke a district's certificate. Either ends every
   exchange function of the district.`;

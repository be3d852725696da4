/** Several organisations on one host name, each under /o/<code>/ (ORG_ROUTING=path): tests/integration/organisations.suite.ts. */
import { organisationsSuite } from "./organisations.suite";

organisationsSuite("path");

/** Several organisations, each reached by its own host name (ORG_ROUTING=host): tests/integration/organisations.suite.ts. */
import { organisationsSuite } from "./organisations.suite";

organisationsSuite("host");

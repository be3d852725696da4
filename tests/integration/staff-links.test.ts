/** Linked accounts of two councils by host name (ORG_ROUTING=host): tests/integration/staff-links.suite.ts. */
import { staffLinksSuite } from "./staff-links.suite";

staffLinksSuite("host");

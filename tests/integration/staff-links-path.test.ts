/** Linked accounts of two councils under /o/<code>/ of one host (ORG_ROUTING=path): tests/integration/staff-links.suite.ts. */
import { staffLinksSuite } from "./staff-links.suite";

staffLinksSuite("path");

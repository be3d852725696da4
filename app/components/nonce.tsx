import { createContext, useContext } from "react";

export const NonceContext = createContext<string>("");
export const NonceProvider = NonceContext.Provider;
/** The request's CSP nonce (empty in the browser, where it is not needed after load). */
export const useNonce = () => useContext(NonceContext);

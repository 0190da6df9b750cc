// @tessera/js/react: <TesseraProvider> and hooks shaped like @clerk/clerk-react's
// (useAuth, useUser, useSession, useSignUp, useSignIn, useOrganization, useOrganizationList).
// No prebuilt components: build them on these hooks.
export { TesseraProvider, useTessera } from './provider.tsx';
export type { TesseraProviderProps } from './provider.tsx';
export { useAuth, useOrganization, useOrganizationList, useSession, useSignIn, useSignUp, useUser } from './hooks.ts';
export type {
  GetToken,
  Has,
  SetActive,
  SignOut,
  UseAuthReturn,
  UseOrganizationListParams,
  UseOrganizationListReturn,
  UseOrganizationParams,
  UseOrganizationReturn,
  UseSessionReturn,
  UseSignInReturn,
  UseSignUpReturn,
  UseUserReturn,
} from './hooks.ts';

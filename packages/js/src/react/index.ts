// @tessera/js/react: <TesseraProvider> and hooks shaped like @clerk/clerk-react's
// (useAuth, useUser, useSession, useSignUp, useSignIn, useOrganization, useOrganizationList).
// Prebuilt components (./components): SignIn, SignUp, UserButton, OrganizationSwitcher,
// OrganizationList, CreateOrganization, OrganizationProfile, UserProfile, with TesseraUIProvider
// for localization and options.
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
export {
  enUS,
  format,
  injectTesseraStyles,
  mergeLocalization,
  OrganizationList,
  OrganizationProfile,
  OrganizationSwitcher,
  CreateOrganization,
  SignIn,
  SignUp,
  TesseraUIProvider,
  tesseraCss,
  THEME_VARIABLES,
  UserButton,
  UserProfile,
} from './components/index.ts';
export type {
  AuthComponentProps,
  ComponentBaseProps,
  ErrorMessageKey,
  InvitationInfo,
  Localization,
  LocalizationResource,
  CreateOrganizationProps,
  OrganizationListProps,
  OrganizationProfileProps,
  OrganizationSwitcherProps,
  TesseraUIOptions,
  TesseraUIProviderProps,
  ThemeVariable,
  UserButtonProps,
  UserProfileProps,
} from './components/index.ts';

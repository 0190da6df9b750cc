// The prebuilt components of @tessera/js/react: <SignIn />, <SignUp />, <UserButton />,
// <OrganizationSwitcher />, <OrganizationList />, <CreateOrganization />, <OrganizationProfile />,
// <UserProfile />, and
// <TesseraUIProvider> for options they share (localization, navigation, styles).
export { SignIn, SignUp } from './auth.tsx';
export type { AuthComponentProps, InvitationInfo } from './auth.tsx';
export { UserButton, OrganizationSwitcher } from './menus.tsx';
export type { UserButtonProps, OrganizationSwitcherProps } from './menus.tsx';
export { CreateOrganization, OrganizationList, OrganizationProfile } from './organizations.tsx';
export type { CreateOrganizationProps, OrganizationListProps, OrganizationProfileProps } from './organizations.tsx';
export { UserProfile } from './user-profile.tsx';
export type { UserProfileProps } from './user-profile.tsx';
export { TesseraUIProvider } from './context.tsx';
export type { ComponentBaseProps, TesseraUIOptions, TesseraUIProviderProps } from './context.tsx';
export { enUS, format, mergeLocalization } from './localization.ts';
export type { ErrorMessageKey, Localization, LocalizationResource } from './localization.ts';
export { injectTesseraStyles, tesseraCss, THEME_VARIABLES } from './styles.ts';
export type { ThemeVariable } from './styles.ts';

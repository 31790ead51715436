// The pages only staff use (authoring, administration), in a chunk of their own: a candidate's browser never
// downloads them. `main.tsx` loads this module on the first visit to one of these pages.

export { UsersPage } from "./admin";
export { AssessmentsAdminPage, BankPage, InvitationsPage } from "./author";
export { AssessmentBuilderPage } from "./builder";
export { QuestionEditorPage } from "./question-editor";

//! The commands the UI may call, each granted by its own `allow-*` permission (see build.rs and
//! capabilities/main.json). Each is: arguments → one core operation → a serialisable result.

use crate::AppState;
use casefile_core::acts::{Act, ActInput, Involvement, InvolvementInput};
use casefile_core::bundle::Conflict;
use casefile_core::cases::{Case, CaseCounts, CaseEdit, NewCase};
use casefile_core::evidence::{AnalysisState, DuplicatePair, Evidence, EvidenceEdit, EvidenceRow};
use casefile_core::history::HistoryEntry;
use casefile_core::incidents::{Incident, IncidentInput, IncidentRow};
use casefile_core::links::{Link, LinkView, RecordRef};
use casefile_core::persons::{Identity, Person, PersonInput};
use casefile_core::profile::{LibraryInfo, Profile};
use casefile_core::search::{EvidenceFilter, GeoTimeItem, IncidentFilter, SearchResult};
use casefile_core::statements::{
    Consent, ConsentInput, ConsentPurpose, ConsentSummary, Statement, StatementInput, StatementRow,
    StatementVersion,
};
use casefile_core::trust::{CaseKey, Provenance, Standing};
use casefile_core::units::{Unit, UnitInput};
use casefile_core::vocab::Term;
use casefile_core::ErrorDto;
use serde::Serialize;
use tauri::State;

type Res<T> = Result<T, ErrorDto>;
type St<'a> = State<'a, AppState>;

#[tauri::command(async)]
pub fn library_info(state: St<'_>) -> Res<LibraryInfo> {
    state.with(|lib| lib.info())
}

#[tauri::command(async)]
pub fn profile_set(state: St<'_>, name: String, organisation: String) -> Res<Profile> {
    state.with(|lib| lib.set_profile(&name, &organisation))
}

#[tauri::command(async)]
pub fn vocab_list(state: St<'_>) -> Res<Vec<Term>> {
    state.with(|lib| lib.terms(None))
}

#[tauri::command(async)]
pub fn sample_load(state: St<'_>) -> Res<Case> {
    state.with(|lib| lib.load_sample())
}

#[tauri::command(async)]
pub fn case_list(state: St<'_>) -> Res<Vec<Case>> {
    state.with(|lib| lib.list_cases())
}

#[derive(Serialize)]
pub struct CaseView {
    case: Case,
    counts: CaseCounts,
}

#[tauri::command(async)]
pub fn case_get(state: St<'_>, id: String) -> Res<CaseView> {
    state.with(|lib| {
        Ok(CaseView {
            case: lib.get_case(&id)?,
            counts: lib.case_counts(&id)?,
        })
    })
}

#[tauri::command(async)]
pub fn case_create(state: St<'_>, input: NewCase) -> Res<Case> {
    state.with(|lib| lib.create_case(input))
}

#[tauri::command(async)]
pub fn case_update(state: St<'_>, id: String, edit: CaseEdit) -> Res<Case> {
    state.with(|lib| lib.edit_case(&id, edit))
}

#[tauri::command(async)]
pub fn incident_list(state: St<'_>, case_id: String) -> Res<Vec<IncidentRow>> {
    state.with(|lib| lib.incident_rows(&case_id))
}

#[derive(Serialize)]
pub struct IncidentView {
    incident: Incident,
    links: Vec<LinkView>,
    acts: Vec<Act>,
    involvements: Vec<Involvement>,
}

#[tauri::command(async)]
pub fn incident_get(state: St<'_>, id: String) -> Res<IncidentView> {
    state.with(|lib| {
        Ok(IncidentView {
            incident: lib.get_incident(&id)?,
            links: lib.links_of(&id)?,
            acts: lib.list_acts(&id)?,
            involvements: lib.list_involvements(&id)?,
        })
    })
}

#[tauri::command(async)]
pub fn incident_create(state: St<'_>, case_id: String, input: IncidentInput) -> Res<Incident> {
    state.with(|lib| lib.create_incident(&case_id, input))
}

#[tauri::command(async)]
pub fn incident_update(state: St<'_>, id: String, input: IncidentInput) -> Res<Incident> {
    state.with(|lib| lib.edit_incident(&id, input))
}

#[tauri::command(async)]
pub fn person_list(state: St<'_>, case_id: String) -> Res<Vec<Person>> {
    state.with(|lib| lib.list_persons(&case_id))
}

#[derive(Serialize)]
pub struct PersonView {
    person: Person,
    has_identity: bool,
    links: Vec<LinkView>,
}

#[tauri::command(async)]
pub fn person_get(state: St<'_>, id: String) -> Res<PersonView> {
    state.with(|lib| {
        Ok(PersonView {
            person: lib.get_person(&id)?,
            has_identity: lib.has_identity(&id)?,
            links: lib.links_of(&id)?,
        })
    })
}

#[tauri::command(async)]
pub fn person_create(state: St<'_>, case_id: String, input: PersonInput) -> Res<Person> {
    state.with(|lib| lib.create_person(&case_id, input))
}

#[tauri::command(async)]
pub fn person_update(state: St<'_>, id: String, input: PersonInput) -> Res<Person> {
    state.with(|lib| lib.edit_person(&id, input))
}

#[tauri::command(async)]
pub fn identity_set(state: St<'_>, person_id: String, identity: Identity) -> Res<()> {
    state.with(|lib| lib.set_identity(&person_id, identity))
}

#[tauri::command(async)]
pub fn identity_reveal(state: St<'_>, person_id: String) -> Res<Option<Identity>> {
    state.with(|lib| lib.reveal_identity(&person_id))
}

#[tauri::command(async)]
pub fn unit_list(state: St<'_>, case_id: String) -> Res<Vec<Unit>> {
    state.with(|lib| lib.list_units(&case_id))
}

#[derive(Serialize)]
pub struct UnitView {
    unit: Unit,
    links: Vec<LinkView>,
}

#[tauri::command(async)]
pub fn unit_get(state: St<'_>, id: String) -> Res<UnitView> {
    state.with(|lib| {
        Ok(UnitView {
            unit: lib.get_unit(&id)?,
            links: lib.links_of(&id)?,
        })
    })
}

#[tauri::command(async)]
pub fn unit_create(state: St<'_>, case_id: String, input: UnitInput) -> Res<Unit> {
    state.with(|lib| lib.create_unit(&case_id, input))
}

#[tauri::command(async)]
pub fn unit_update(state: St<'_>, id: String, input: UnitInput) -> Res<Unit> {
    state.with(|lib| lib.edit_unit(&id, input))
}

#[tauri::command(async)]
pub fn act_create(state: St<'_>, case_id: String, input: ActInput) -> Res<Act> {
    state.with(|lib| lib.create_act(&case_id, input))
}

#[tauri::command(async)]
pub fn involvement_create(
    state: St<'_>,
    case_id: String,
    input: InvolvementInput,
) -> Res<Involvement> {
    state.with(|lib| lib.create_involvement(&case_id, input))
}

#[tauri::command(async)]
pub fn statement_list(state: St<'_>, case_id: String) -> Res<Vec<StatementRow>> {
    state.with(|lib| lib.statement_rows(&case_id))
}

#[derive(Serialize)]
pub struct StatementView {
    statement: Statement,
    witness: Person,
    consent: ConsentSummary,
    consents: Vec<Consent>,
    versions: Vec<StatementVersion>,
    links: Vec<LinkView>,
}

#[tauri::command(async)]
pub fn statement_get(state: St<'_>, id: String) -> Res<StatementView> {
    state.with(|lib| {
        let statement = lib.get_statement(&id)?;
        Ok(StatementView {
            witness: lib.get_person(&statement.witness_id)?,
            consent: lib.consent_summary(&id)?,
            consents: lib.consents(&id)?,
            versions: lib.statement_versions(&id)?,
            links: lib.links_of(&id)?,
            statement,
        })
    })
}

#[tauri::command(async)]
pub fn statement_create(state: St<'_>, case_id: String, input: StatementInput) -> Res<Statement> {
    state.with(|lib| lib.create_statement(&case_id, input))
}

#[tauri::command(async)]
pub fn statement_update(state: St<'_>, id: String, input: StatementInput) -> Res<Statement> {
    state.with(|lib| lib.edit_statement(&id, input))
}

#[tauri::command(async)]
pub fn consent_set(state: St<'_>, statement_id: String, input: ConsentInput) -> Res<Consent> {
    state.with(|lib| lib.set_consent(&statement_id, input))
}

#[tauri::command(async)]
pub fn consent_withdraw(
    state: St<'_>,
    statement_id: String,
    purpose: ConsentPurpose,
    on: String,
    note: String,
) -> Res<Consent> {
    state.with(|lib| lib.withdraw_consent(&statement_id, purpose, &on, &note))
}

#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn link_create(
    state: St<'_>,
    from_type: String,
    from_id: String,
    link_type: String,
    to_type: String,
    to_id: String,
    note: String,
) -> Res<Link> {
    state.with(|lib| lib.link(&from_type, &from_id, &link_type, &to_type, &to_id, &note))
}

#[tauri::command(async)]
pub fn link_remove(state: St<'_>, link_id: String, reason: String) -> Res<()> {
    state.with(|lib| lib.unlink(&link_id, &reason))
}

#[tauri::command(async)]
pub fn record_find(
    state: St<'_>,
    case_id: String,
    query: String,
    types: Vec<String>,
) -> Res<Vec<RecordRef>> {
    state.with(|lib| lib.find_records(&case_id, &query, &types, 50))
}

#[tauri::command(async)]
pub fn record_delete(state: St<'_>, record_type: String, id: String, reason: String) -> Res<()> {
    state.with(|lib| lib.delete(&record_type, &id, &reason))
}

#[tauri::command(async)]
pub fn record_restore(state: St<'_>, record_type: String, id: String) -> Res<()> {
    state.with(|lib| lib.restore(&record_type, &id))
}

#[tauri::command(async)]
pub fn record_history(state: St<'_>, record_type: String, id: String) -> Res<Vec<HistoryEntry>> {
    state.with(|lib| lib.history_with_links(&record_type, &id))
}

#[tauri::command(async)]
pub fn evidence_list(state: St<'_>, case_id: String) -> Res<Vec<EvidenceRow>> {
    state.with(|lib| lib.evidence_rows(&case_id))
}

#[derive(Serialize)]
pub struct Lookalike {
    item: EvidenceRow,
    distance: u32,
}

#[derive(Serialize)]
pub struct EvidenceView {
    evidence: Evidence,
    analysis: Option<AnalysisState>,
    links: Vec<LinkView>,
    duplicates: Vec<Lookalike>,
}

#[tauri::command(async)]
pub fn evidence_get(state: St<'_>, id: String) -> Res<EvidenceView> {
    state.with(|lib| {
        let evidence = lib.get_evidence(&id)?;
        Ok(EvidenceView {
            analysis: lib.analysis(&evidence.sha256)?,
            links: lib.links_of(&id)?,
            duplicates: lib
                .duplicates_of(&id)?
                .into_iter()
                .map(|(item, distance)| Lookalike { item, distance })
                .collect(),
            evidence,
        })
    })
}

#[tauri::command(async)]
pub fn evidence_update(state: St<'_>, id: String, edit: EvidenceEdit) -> Res<Evidence> {
    state.with(|lib| lib.edit_evidence(&id, edit))
}

#[tauri::command(async)]
pub fn evidence_duplicates(state: St<'_>, case_id: Option<String>) -> Res<Vec<DuplicatePair>> {
    // The hashes are read under the library lock; the pairs are found after it is released.
    let items = state.with(|lib| lib.load_phashes())?;
    Ok(items.possible_duplicates(case_id.as_deref()))
}

/// Where a case came from: its origin key, the keys trusted for it, every bundle received.
#[tauri::command(async)]
pub fn case_provenance(state: St<'_>, case_id: String) -> Res<Provenance> {
    state.with(|lib| lib.provenance(&case_id))
}

/// How an import of a bundle of `case_id` signed by `fingerprint` would be treated.
#[tauri::command(async)]
pub fn case_standing(state: St<'_>, case_id: String, fingerprint: String) -> Res<Standing> {
    state.with(|lib| lib.standing(&case_id, &fingerprint))
}

/// Trusts a key to change a case (a custody entry records it).
#[tauri::command(async)]
pub fn key_trust(
    state: St<'_>,
    case_id: String,
    fingerprint: String,
    reason: String,
) -> Res<CaseKey> {
    state.with(|lib| lib.trust_key(&case_id, &fingerprint, &reason))
}

/// Stops trusting a key for a case.
#[tauri::command(async)]
pub fn key_revoke(
    state: St<'_>,
    case_id: String,
    fingerprint: String,
    reason: String,
) -> Res<CaseKey> {
    state.with(|lib| lib.revoke_key(&case_id, &fingerprint, &reason))
}

/// The profile this case was last exported with, if any (the export dialog opens on it).
#[tauri::command(async)]
pub fn export_last_profile(state: St<'_>, case_id: String) -> Res<Option<String>> {
    state.with(|lib| lib.last_export_profile(&case_id))
}

/// Accepts the custody log as it stands when the head file disagrees (a custody entry records
/// the finding and the reason).
#[tauri::command(async)]
pub fn audit_accept_head(state: St<'_>, reason: String) -> Res<()> {
    state.with(|lib| lib.accept_log_head(&reason))
}

#[tauri::command(async)]
pub fn conflict_list(state: St<'_>, case_id: String) -> Res<Vec<Conflict>> {
    state.with(|lib| lib.conflicts(&case_id))
}

#[tauri::command(async)]
pub fn conflict_resolve(state: St<'_>, id: String, take_incoming: bool) -> Res<()> {
    state.with(|lib| lib.resolve_conflict(&id, take_incoming))
}

#[tauri::command(async)]
pub fn search(
    state: St<'_>,
    query: String,
    case_id: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
) -> Res<SearchResult> {
    state.with(|lib| {
        lib.search(
            &query,
            case_id.as_deref(),
            limit.unwrap_or(50),
            offset.unwrap_or(0),
        )
    })
}

#[tauri::command(async)]
pub fn incident_filter(
    state: St<'_>,
    case_id: String,
    filter: IncidentFilter,
) -> Res<Vec<IncidentRow>> {
    state.with(|lib| lib.filter_incidents(&case_id, &filter))
}

#[tauri::command(async)]
pub fn evidence_filter(
    state: St<'_>,
    case_id: String,
    filter: EvidenceFilter,
) -> Res<Vec<EvidenceRow>> {
    state.with(|lib| lib.filter_evidence(&case_id, &filter))
}

#[tauri::command(async)]
pub fn case_geo_time(state: St<'_>, case_id: String) -> Res<Vec<GeoTimeItem>> {
    state.with(|lib| lib.case_geo_time(&case_id))
}

#[tauri::command(async)]
pub fn record_deleted_list(
    state: St<'_>,
    case_id: String,
) -> Res<Vec<casefile_core::records::DeletedRecord>> {
    state.with(|lib| lib.deleted_records(&case_id))
}

/// Adds a term: its labels by language (`labels`: `{ "en": …, "uk": …, "crh": … }`), or
/// (as before) `labelEn` and `labelUk`.
#[tauri::command(async)]
pub fn vocab_add(
    state: St<'_>,
    vocab: String,
    code: String,
    label_en: Option<String>,
    label_uk: Option<String>,
    labels: Option<std::collections::BTreeMap<String, String>>,
) -> Res<Term> {
    let mut all = labels.unwrap_or_default();
    for (lang, text) in [("en", label_en), ("uk", label_uk)] {
        if let Some(t) = text {
            all.entry(lang.to_string()).or_insert(t);
        }
    }
    state.with(|lib| lib.add_term_labels(&vocab, &code, &all))
}

/// The file name (without extension) to suggest for exporting a case: its reference code (else
/// its title), Cyrillic kept, only what a file name cannot hold replaced.
#[tauri::command(async)]
pub fn export_file_name(state: St<'_>, case_id: String) -> Res<String> {
    state.with(|lib| lib.export_file_name(&case_id))
}

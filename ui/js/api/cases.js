// Cases: one function per backend command.
import { invoke } from '../ipc.js';

/** Cases that are not deleted, most recently changed first. */
export const listCases = () => invoke('case_list');

/** { case, counts } for one case; rejects with code "not_found" if there is none. */
export const getCase = (id) => invoke('case_get', { id });

/** Creates a case from { title, reference, description }; returns the new case. */
export const createCase = (input) => invoke('case_create', { input });

/**
 * Changes a case. `edit` holds only the fields to change: { title?, reference?, description?,
 * status? } (status: "open" | "closed" | "archived"; an empty reference clears it).
 */
export const updateCase = (id, edit) => invoke('case_update', { id, edit });

/// Shapes of the API's answers (docs: the issue 5 design, "HTTP API"). Fields the frontend does
/// not read are left out.

export type Role = 'officer' | 'operator' | 'manager' | 'admin';

export interface User {
    username: string;
    display_name: string;
    role: Role;
}

export interface Session {
    user: User;
    csrf_token: string;
}

export interface Vocabulary {
    lanes: string[];
    categories: string[];
    units: string[];
    concealments: string[];
    detections: string[];
    methods: string[];
}

export interface VesselCallSummary {
    vessel_call_id: number;
    vessel_name: string;
    imo: string;
    voyage: string;
    carrier: string;
    eta: string;
    last_port: string;
    containers: number;
    scored: number;
    selected: number;
    red: number;
    yellow: number;
    closed: number;
}

export interface Arrivals {
    day: string;
    calls: VesselCallSummary[];
}

export interface QueueRow {
    container_id: number;
    number: string;
    vessel_name: string;
    eta: string;
    score: number | null;
    main_source: string;
    lane: string;
    state: string;
    top_factor: string;
    rank: number;
}

export interface Queue {
    day: string;
    capacity: { scan: number; exam: number; scan_used: number; exam_used: number };
    total: number;
    rows: QueueRow[];
}

export interface Party {
    role: string;
    name: string;
    country: string;
    times_seen: number;
    first_seen: string;
    inspections: number;
    findings: number;
}

export interface GoodsItem {
    item_number: number;
    hs_code: string;
    description: string;
    packages: number;
    package_type: string;
    gross_mass_kg: number;
}

export interface Consignment {
    master_bl: string;
    house_bl: string;
    route: {
        place_of_receipt: string;
        port_of_loading: string;
        transshipment_ports: string[];
        port_of_discharge: string;
        place_of_delivery: string;
    };
    parties: Party[];
    goods: GoodsItem[];
}

export interface Region {
    kind: string;
    score: number;
    x: number;
    y: number;
    width: number;
    height: number;
}

export interface Analysis {
    loaded: boolean;
    declared_empty_but_loaded: boolean;
    density_inconsistent: boolean;
    mass_ratio: number | null;
    anomaly_score: number;
    confidence: number;
    algorithm_version: string;
    /// The node stores anomaly regions as `anomalies`; `regions` is accepted as well.
    regions?: Region[];
    anomalies?: Region[];
    materials?: { organic?: number; inorganic?: number; metal?: number; undetermined?: number };
    implied_cargo_mass_kg?: number | null;
}

/// The anomaly regions of an analysis, whichever key holds them.
export function analysisRegions(analysis: Analysis | null | undefined): Region[] {
    return analysis?.regions ?? analysis?.anomalies ?? [];
}

export interface ContainerScan {
    scan_id: string;
    scanned_at: string;
    scanner_id: string;
    view: string;
    analysis: Analysis | null;
    preview_url: string;
}

export interface WorkflowState {
    state: string;
    lane: string;
    source: string;
    reason: string;
    updated_by: string;
    updated_at: string;
}

export interface Transition {
    from_state: string;
    to_state: string;
    action: string;
    actor: string;
    reason: string;
    at: string;
}

export interface Outcome {
    result?: string;
    seizure?: boolean;
    inspected_on?: string;
    method?: string;
    category?: string;
    description?: string;
    quantity?: number;
    unit?: string;
    concealment?: string;
    detection?: string;
    place?: string;
    notes?: string;
    recorded_by?: string;
    recorded_at?: string;
}

export interface Attachment {
    id?: number | string;
    name?: string;
    filename?: string;
    url?: string;
    content_type?: string;
    bytes?: number;
    added_by?: string;
    added_at?: string;
}

export interface Container {
    container_id: number;
    number: string;
    size_type: string;
    load_status: string;
    gross_mass_kg: number | null;
    tare_mass_kg: number | null;
    seals: string[];
    vessel_call: {
        vessel_call_id: number;
        vessel_name: string;
        imo: string;
        voyage: string;
        carrier: string;
        eta: string;
        last_port: string;
        port_of_call: string;
    } | null;
    consignments: Consignment[];
    history: Array<{
        vessel_name: string;
        eta: string;
        port_of_call: string;
        outcome: string | null;
    }>;
    score: {
        score: number;
        main_source: string;
        scored_at: string;
        factors: Array<{ kind: string; id: string; points: number; text: string }>;
    } | null;
    watchlist_hits: Array<{ id: string | number; text: string; points: number }>;
    state: WorkflowState | null;
    transitions: Transition[];
    allowed_actions: string[];
    outcome: Outcome | null;
    attachments: Attachment[];
    scans: ContainerScan[];
    /// Alerts and seizures other ports sent about this container number, newest first.
    shared_alerts?: SharedAlert[];
    /// Inspection outcomes other ports sent about this container number, newest first.
    shared_outcomes?: SharedOutcome[];
}

export interface SharedAlert {
    origin: string;
    kind: 'alert' | 'seizure';
    reason: string;
    created_at: string;
    expires: string;
}

export interface SharedOutcome {
    origin: string;
    port_of_call: string;
    inspected_on: string;
    result: string;
    category: string;
    description: string;
}

/// One peer on the administrator's sharing table (GET /api/sharing/status).
export interface PeerStatus {
    name: string;
    endpoint: string;
    connected: boolean;
    last_seen: string | null;
    backlog: number;
    acknowledged: number;
    received: number;
    refused: number;
}

export interface SharingStatus {
    node: string;
    endpoint: string;
    enabled: boolean;
    hub: boolean;
    peers: PeerStatus[];
}

export interface WorklistRow {
    container_id: number;
    number: string;
    vessel_name: string;
    eta: string;
    state: string;
    lane: string;
    score: number | null;
    scans: number;
}

export interface UnmatchedScan {
    scan_id: string;
    position: number;
    number_read: string;
    problem: string;
    scanned_at: string;
}

export interface DrawnRegion {
    id: number | string;
    x: number;
    y: number;
    width: number;
    height: number;
    label: string;
    note: string;
    drawn_by: string;
    drawn_at: string;
}

export interface Scan {
    scan_id: string;
    scanner_id: string;
    scanned_at: string;
    view: string;
    width: number;
    height: number;
    containers: Array<{ position: number; number_read: string; container_id: number | null }>;
    analysis: Analysis | null;
    regions: DrawnRegion[];
    dzi_url: string;
    materials_url: string;
    preview_url: string;
}

export interface UploadResult {
    status: 'stored' | 'duplicate' | 'refused';
    scan_id: string;
    problems: Array<string | { code?: string; message?: string; path?: string }>;
}

export interface UserRow {
    username: string;
    display_name: string;
    role: Role;
    disabled: boolean;
    created_at: string;
}

export interface AuditRow {
    seq: number;
    at: string;
    actor: string;
    action: string;
    subject: string;
    detail: string | Record<string, unknown>;
}

export interface AuditVerify {
    ok: boolean;
    entries: number;
    first_bad_seq: number | null;
    problem: string;
}

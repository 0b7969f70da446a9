import CRMModel

/// GRDB also has a `Record` class; in this module `Record` is always the CRM's.
typealias Record = CRMModel.Record

/// The media type a file's extension names, for files the user attaches: the package's list of allowed file
/// types is written in media types, and the server keeps the type beside the content.
enum MediaType {
    static let byExtension: [String: String] = [
        "pdf": "application/pdf", "zip": "application/zip", "json": "application/json", "xml": "application/xml",
        "gz": "application/gzip", "doc": "application/msword", "rtf": "application/rtf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "svg": "image/svg+xml", "heic": "image/heic", "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp",
        "txt": "text/plain", "log": "text/plain", "csv": "text/csv", "md": "text/markdown", "html": "text/html",
        "htm": "text/html", "ics": "text/calendar", "vcf": "text/vcard", "eml": "message/rfc822",
        "mp3": "audio/mpeg", "wav": "audio/wav", "mp4": "video/mp4", "mov": "video/quicktime",
        "exe": "application/vnd.microsoft.portable-executable", "sh": "application/x-sh",
    ]

    /// The type of a file named `name` (`application/octet-stream` when its extension says nothing).
    static func of(fileNamed name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "application/octet-stream" }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}

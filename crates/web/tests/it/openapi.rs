//! The OpenAPI document is part of the public contract: any change to it shows up in review as a
//! change to this snapshot (`cargo insta review`, or INSTA_UPDATE=always to accept).

#[test]
fn openapi_document() {
    insta::assert_json_snapshot!(vmportal_web::openapi());
}

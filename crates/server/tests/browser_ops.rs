//! Browser tests in headless Chromium of the operations capabilities, one full workflow each:
//! water quality (enter a lab result, see it raise an alert, read the classes and the trend),
//! patrols (record an overdue task, move a defect on, read the compliance chart) and siting
//! review (upload the zone map, submit an application, read the decision). Screenshots in
//! target/screenshots/.

mod common;

use common::browser::{
    browser, chromedriver, click, fill, log_in, screenshot, start_driver, start_server, wait_for,
};
use common::{sqlite, TestApp};
use fantoccini::{Client, Locator};

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Sets a date-time input's value directly: typing into `datetime-local` depends on the
/// browser's locale, and the value the form submits does not.
async fn set_value(client: &Client, css: &str, value: &str) {
    client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_patrol_and_siting_workflows_in_chromium() {
    let Some(program) = chromedriver() else {
        return;
    };
    let app = TestApp::demo(sqlite("browser_ops").await).await;
    let address = start_server(app.state.store.clone()).await;
    let driver = start_driver(&program).await;
    let client = browser(&driver).await;
    let base = format!("http://{address}");

    client.goto(&format!("{base}/quality")).await.unwrap();
    log_in(&client, "operator", "danjiang-operator").await;
    wait_for(&client, "form.sample-entry").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/quality");

    // Water quality: enter a TP result worse than Class II at the Mengpo outlet.
    click(
        &client,
        "form.sample-entry select[name=site] option[value=MS-OUT17]",
    )
    .await;
    set_value(
        &client,
        "form.sample-entry input[name=time]",
        "2021-06-10T09:00",
    )
    .await;
    click(
        &client,
        "form.sample-entry select[name=item] option[value=TP]",
    )
    .await;
    fill(&client, "form.sample-entry input[name=value]", "0.32").await;
    fill(&client, "form.sample-entry input[name=unit]", "mg/L").await;
    click(&client, "form.sample-entry button[type=submit]").await;
    wait_for(&client, "p.notice").await;
    let first_row = text_of(&client, "table.samples tbody tr").await;
    assert!(
        first_row.contains("2021-06-10 09:00") && first_row.contains("0.32"),
        "{first_row}"
    );
    screenshot(&client, "quality-register").await;
    client
        .goto(&format!("{base}/quality/alerts?site=MS-OUT17"))
        .await
        .unwrap();
    let newest = text_of(&client, "table.alerts tbody tr").await;
    assert!(
        newest.contains("2021-06-10") && newest.contains("TP"),
        "{newest}"
    );
    screenshot(&client, "quality-alerts").await;
    client
        .goto(&format!("{base}/quality/classes?site=MS-OUT17&year=2020"))
        .await
        .unwrap();
    let bars = client
        .find_all(Locator::Css("svg.dj-bar-chart rect.dj-bar"))
        .await
        .unwrap();
    assert_eq!(bars.len(), 12, "a bar per month");
    let yearly = text_of(&client, "div.yearly").await;
    assert!(yearly.contains("2020"), "{yearly}");
    screenshot(&client, "quality-classes").await;
    client
        .goto(&format!(
            "{base}/quality/trend?site=MS-OUT17&item=DO&period=month"
        ))
        .await
        .unwrap();
    let lines = client
        .find_all(Locator::Css("svg.dj-line-chart path.dj-line"))
        .await
        .unwrap();
    assert!(lines.len() >= 2, "the series and Sen's line");
    assert!(!text_of(&client, "div.trend-result").await.is_empty());
    screenshot(&client, "quality-trend").await;

    // Patrols: record the first overdue task from the due list, then move a defect on.
    client.goto(&format!("{base}/patrols")).await.unwrap();
    let overdue: i64 = text_of(&client, ".overdue-count .value")
        .await
        .parse()
        .unwrap();
    assert!(overdue > 0, "the demo has overdue tasks");
    screenshot(&client, "patrols-due").await;
    click(&client, "table.due tbody tr td:last-child a").await;
    wait_for(&client, "form.patrol-record").await;
    set_value(
        &client,
        "form.patrol-record input[name=time]",
        "2021-06-01T08:30",
    )
    .await;
    fill(
        &client,
        "form.patrol-record textarea[name=findings]",
        "cover loose",
    )
    .await;
    click(
        &client,
        "form.patrol-record select[name=defect_severity] option[value=major]",
    )
    .await;
    fill(
        &client,
        "form.patrol-record input[name=defect_description]",
        "loose cover on the valve well",
    )
    .await;
    screenshot(&client, "patrols-record-form").await;
    click(&client, "form.patrol-record button[type=submit]").await;
    wait_for(&client, "p.notice").await;
    client
        .goto(&format!("{base}/patrols/defects?state=open"))
        .await
        .unwrap();
    click(&client, "table.defects tbody tr td a").await;
    wait_for(&client, "table.history").await;
    let steps_before = client
        .find_all(Locator::Css("table.history tbody tr"))
        .await
        .unwrap()
        .len();
    fill(&client, "form.defect-step input[name=note]", "crew 3").await;
    click(&client, "form.defect-step button[type=submit]").await;
    wait_for(
        &client,
        &format!("table.history tbody tr:nth-child({})", steps_before + 1),
    )
    .await;
    let last = client
        .find_all(Locator::Css("table.history tbody tr"))
        .await
        .unwrap()
        .pop()
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        last.contains("operator") && last.contains("crew 3"),
        "{last}"
    );
    screenshot(&client, "patrols-defect").await;
    client
        .goto(&format!("{base}/patrols/compliance?month=2021-05"))
        .await
        .unwrap();
    let bars = client
        .find_all(Locator::Css("svg.dj-bar-chart rect.dj-bar"))
        .await
        .unwrap();
    assert!(!bars.is_empty(), "compliance bars");
    screenshot(&client, "patrols-compliance").await;

    // Siting review: upload the zone map, then review a chemical plant 30 m from the canal.
    client.goto(&format!("{base}/siting/zones")).await.unwrap();
    let zones = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/siting/zones.geojson")
        .canonicalize()
        .unwrap();
    client
        .find(Locator::Css("form.zone-upload input[type=file]"))
        .await
        .unwrap()
        .send_keys(&zones.display().to_string())
        .await
        .unwrap();
    click(&client, "form.zone-upload button[type=submit]").await;
    wait_for(&client, "table.zones").await;
    screenshot(&client, "siting-zones").await;
    client.goto(&format!("{base}/siting/new")).await.unwrap();
    fill(
        &client,
        "form.siting-application input[name=name]",
        "Chemical plant by the canal",
    )
    .await;
    click(
        &client,
        "form.siting-application select[name=category] option[value=chemical_plant]",
    )
    .await;
    let plant: serde_json::Value = serde_json::from_str(include_str!(
        "../../../examples/siting/chemical-plant-30m.json"
    ))
    .unwrap();
    fill(
        &client,
        "form.siting-application textarea[name=footprint]",
        &plant["footprint"].to_string(),
    )
    .await;
    click(
        &client,
        "form.siting-application input[name=discharges_pollutants]",
    )
    .await;
    screenshot(&client, "siting-application").await;
    click(&client, "form.siting-application button[type=submit]").await;
    wait_for(&client, "table.rules").await;
    let decision = text_of(&client, "div.decision .big").await;
    assert_eq!(decision, "REJECT");
    let distance = text_of(&client, ".canal-distance").await;
    assert!(distance.starts_with("30."), "{distance}");
    let rules = text_of(&client, "table.rules").await;
    assert!(rules.contains("WPL-65-first-class-zone"), "{rules}");
    screenshot(&client, "siting-review").await;
    client.goto(&format!("{base}/siting")).await.unwrap();
    let listed = text_of(&client, "table.reviews tbody tr").await;
    assert!(listed.contains("Chemical plant by the canal"), "{listed}");

    client.close().await.unwrap();
}

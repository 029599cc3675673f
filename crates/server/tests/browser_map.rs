//! Browser tests of the network map and the incident simulator in headless Chromium: the map
//! drawn, zoom, an element's panel, a run started with its progress bar and shown on the map,
//! an incident from the form to its plants table, chart, time slider and valves. Screenshots
//! in target/screenshots/ (map, map-run, map-element, incident, incident-slider).

mod common;

use std::time::Duration;

use common::browser::{browser, chromedriver, log_in, screenshot, start_driver, start_server};
use common::{scratch_folder, sqlite, TestApp};
use fantoccini::{Client, Locator};

async fn count(client: &Client, css: &str) -> usize {
    client
        .find_all(Locator::Css(css))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

async fn view_transform(client: &Client) -> String {
    client
        .find(Locator::Css("svg.dj-map g.dj-map-view"))
        .await
        .unwrap()
        .attr("transform")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_and_incident_in_chromium() {
    let Some(program) = chromedriver() else {
        return;
    };
    let folder = scratch_folder().join("runs");
    std::env::set_var("DANJIANG_DATA_DIR", folder);
    let app = TestApp::demo(sqlite("browser_map").await).await;
    let address = start_server(app.state.store.clone()).await;
    let driver = start_driver(&program).await;
    let client = browser(&driver).await;
    let base = format!("http://{address}");
    let wait = |client: &Client, css: &'static str| {
        let client = client.clone();
        async move {
            client
                .wait()
                .at_most(Duration::from_secs(90))
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
        }
    };

    client.goto(&format!("{base}/login")).await.unwrap();
    log_in(&client, "operator", "danjiang-operator").await;
    wait(&client, "header.top").await;

    // The map of the network alone: every element, outlets and plants marked.
    client.goto(&format!("{base}/map")).await.unwrap();
    wait(&client, "svg.dj-map").await;
    assert!(
        count(&client, "svg.dj-map [data-id]").await > 800,
        "nodes and links drawn"
    );
    assert_eq!(
        count(&client, "svg.dj-map .dj-mark-plant [data-id]").await,
        8
    );
    assert_eq!(count(&client, "svg.dj-map .dj-reservoir").await, 4);
    let before = view_transform(&client).await;
    client
        .find(Locator::Css("[data-map-action=zoom-in]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let after = view_transform(&client).await;
    assert!(
        after.contains("scale(1.5)") && after != before,
        "zoomed: {after}"
    );
    client
        .find(Locator::Css("[data-map-action=reset]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    screenshot(&client, "map").await;

    // Start a run; the progress bar polls and the page reloads when it is done.
    client
        .find(Locator::Css("[data-start-run]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = wait(&client, "a[href^='/map?run=']").await;
    link.click().await.unwrap();
    wait(&client, "svg.dj-map .dj-nodes .dj-c0").await;
    assert!(
        count(&client, "svg.dj-map .dj-map-legend .dj-legend-item").await >= 3,
        "legend"
    );

    // Click the Zhouzhuang plant: its data and its series in the panel.
    let plant = client
        .find(Locator::Css(
            "svg.dj-map .dj-mark-plant [data-id='P-ZHOUZHUANG']",
        ))
        .await
        .unwrap();
    plant.click().await.unwrap();
    let heading = wait(&client, "[data-element-panel] h3").await;
    assert!(heading.text().await.unwrap().contains("P-ZHOUZHUANG"));
    wait(&client, "[data-element-panel] .element-charts svg .dj-line").await;
    screenshot(&client, "map-element").await;
    // The period slider redraws the map.
    client
        .execute(
            "const s = document.querySelector('[data-map-slider]'); s.value = 12; \
             s.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath("//output[@data-map-time][text()='12:00']"))
        .await
        .unwrap();
    screenshot(&client, "map-run").await;

    // An incident at the head of outlet No. 17's trunk.
    client.goto(&format!("{base}/incidents")).await.unwrap();
    client
        .find(Locator::Css("select[name=node] option[value='X17']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let strength = client
        .find(Locator::Css("input[name=strength]"))
        .await
        .unwrap();
    strength.clear().await.unwrap();
    strength.send_keys("50000").await.unwrap();
    client
        .find(Locator::Css("form.incident-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait(&client, "table.plants-table").await;
    let reached = count(&client, "table.plants-table tr.reached").await;
    assert!(reached >= 1, "a plant reached");
    assert!(
        count(&client, "svg#plant-concentration .dj-line").await >= 1,
        "the chart"
    );
    assert!(
        count(&client, "table.valves-table tbody tr").await >= 1,
        "valves to close"
    );
    assert!(count(&client, "svg.dj-map .dj-mark-isolating [data-id]").await >= 1);
    screenshot(&client, "incident").await;
    client
        .execute(
            "const s = document.querySelector('[data-map-slider]'); s.value = s.max; \
             s.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        count(&client, "svg.dj-map .dj-nodes [class*='dj-c']").await >= 1,
        "concentration classes"
    );
    screenshot(&client, "incident-slider").await;

    client.close().await.unwrap();
    drop(driver);
}
